// The tutors' search page. Where she starts (address, map click or hub) stays in this page's
// memory and goes to the server only in POST bodies: never in a URL, never stored.
import { el, fmt, postJSON } from "./tutor_api.js";
import { ResultMap } from "./tutor_map.js";
import { renderMarket } from "./tutor_market.js";
import { groupByPlace, renderResults } from "./tutor_results.js";
import { setupSchoolCombo } from "./tutor_school.js";
import { plural } from "./lib/plural.js";
import { directionsList } from "./lib/directions.js";

const $ = (id) => document.getElementById(id);
const settings = JSON.parse($("tutor-settings").textContent);
const labels = settings.labels;
const form = $("search-form");
const status = $("origin-status");
window.scoutBasemap?.add(window[settings.map]);
const map = new ResultMap(window[settings.map], labels);
const state = { origin: null, query: null, places: [], shortlist: new Set(), addressText: null };
const MAX_ITEMS = Number($("sheet-form").dataset.maxItems || 10);

const mode = () => form.querySelector("input[name=origin_mode]:checked").value;

function setOrigin(origin, label) {
  state.origin = origin;
  status.textContent = label ?? "";
  status.dataset.ready = origin ? "true" : "false";
  map.setHome(origin && origin.lat !== undefined ? origin : null);
}

function showPanels() {
  for (const panel of document.querySelectorAll(".origin-panel")) {
    panel.hidden = panel.dataset.mode !== mode();
  }
  if (mode() === "hub") pickHub();
  else if (state.origin?.hub_id) setOrigin(null, "");
}

function pickHub() {
  const option = $("hub-select").selectedOptions[0];
  if (!option) return setOrigin(null, "");
  const { lon, lat } = option.dataset;
  setOrigin({ hub_id: option.value, lon: Number(lon), lat: Number(lat) }, option.textContent);
}

// How sure a candidate is, in words next to it: an exact address, an approximate point near
// known numbers, or only a guess (never chosen for her).
const sureness = (c) =>
  c.confidence === "exact" ? labels.exact
    : c.confidence === "weak" ? labels.weak
    : fmt(labels.approximate, { near: c.near });

function chooseCandidate(c) {
  setOrigin({ lon: c.lon, lat: c.lat, source: "address" }, `${c.label} (${sureness(c)})`);
}

async function findAddress() {
  const text = $("address-input").value.trim();
  const list = $("address-candidates");
  list.replaceChildren();
  state.addressText = text;
  setOrigin(null, "");
  if (!text) return false;
  const { candidates } = await postJSON(settings.urls.address, { q: text });
  if (!candidates.length) {
    status.textContent = labels.address_none;
    return false;
  }
  const good = candidates[0].confidence !== "weak";
  candidates.forEach((c, i) => {
    const id = `address-candidate-${i}`;
    const input = el("input", { class: "form-check-input", type: "radio", name: "address_choice", id, checked: good && i === 0 });
    input.addEventListener("change", () => chooseCandidate(c));
    list.append(
      el("li", { class: "form-check address-candidate", dataset: { exact: c.exact, confidence: c.confidence } }, input,
        el("label", { class: "form-check-label", for: id }, c.label, " ",
          el("small", { class: `candidate-confidence confidence-${c.confidence}` }, `(${sureness(c)})`))),
    );
  });
  if (!good) {
    status.textContent = labels.address_weak;
    return false;
  }
  chooseCandidate(candidates[0]);
  return true;
}

function query() {
  const data = new FormData(form);
  const o = state.origin;
  const one = (name) => (data.get(name) ? [data.get(name)] : []);
  const hours = data.get("drop_off") && data.get("pick_up")
    ? { drop_off: data.get("drop_off"), pick_up: data.get("pick_up"), days: data.getAll("days").map(Number) }
    : null;
  return {
    origin: o.hub_id ? { hub_id: o.hub_id } : { lon: o.lon, lat: o.lat, source: o.source },
    school_id: data.get("school_id") || null,
    kinds: data.getAll("kinds"),
    sector: data.get("sector") || null,
    contract_types: one("contract_types"),
    part_times: one("part_times"),
    max_italian_level: data.get("max_italian_level") || null,
    max_minutes: Number(data.get("max_minutes")),
    profile: data.get("profile"),
    school_hours: hours,
    hide_not_fitting: data.get("hide_not_fitting") === "on",
    include_market: data.get("include_market") === "on",
  };
}

async function runSearch() {
  const error = $("search-error");
  error.hidden = true;
  if (mode() === "address" && $("address-input").value.trim() !== state.addressText) {
    await findAddress();
  }
  if (!state.origin) {
    error.textContent = labels.origin_none;
    error.hidden = false;
    return;
  }
  const q = query();
  $("result-summary").textContent = labels.searching;
  form.setAttribute("aria-busy", "true");
  try {
    const [result, bands] = await Promise.all([
      postJSON(settings.urls.search, q),
      postJSON(settings.urls.isochrones, { origin: q.origin, profile: q.profile, max_minutes: q.max_minutes }),
    ]);
    state.query = q;
    state.places = groupByPlace(result);
    state.shortlist.clear();
    map.setBands(bands);
    map.setSchool(result.school);
    map.setResults(state.places, selectPlace);
    renderResults($("results"), state.places, { labels, estimate: result.estimate, shortlist: state.shortlist });
    $("estimate-note").hidden = !result.estimate;
    renderMarket($("market-results"), result);
    $("result-count").textContent = result.count;
    $("result-count").dataset.count = result.count;
    const summary = result.truncated ? labels.truncated : labels.results;  // {total} may be null
    $("result-summary").textContent = result.count
      ? fmt(summary, { results: plural(labels.results_n, result.count), places: plural(labels.places_n, result.places) })
      : labels.no_results;
    updateSheet();
    showResults();
  } catch (e) {
    error.textContent = fmt(labels.error, { message: e.message });
    error.hidden = false;
    $("result-summary").textContent = "";
  } finally {
    form.removeAttribute("aria-busy");
  }
}

// After "Search" the results must be where she looks: below the form on narrow screens, the
// page moves to them; focus goes to their heading so a screen reader reads them next.
function showResults() {
  const heading = $("results-title");
  const top = heading.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight / 2) heading.scrollIntoView({ block: "start" });
  heading.focus({ preventScroll: true });
}

async function selectPlace(placeId) {
  for (const li of document.querySelectorAll("#results .result")) {
    const on = li.dataset.placeId === String(placeId);
    li.classList.toggle("selected", on);
    if (on) li.scrollIntoView({ block: "nearest" });
  }
  map.select(placeId);
  const route = await postJSON(settings.urls.route, {
    origin: state.query.origin,
    place_id: placeId,
    profile: state.query.profile,
  });
  map.setRoute(route);
  $("results").dataset.routePlaceId = placeId;
  showDirections(placeId, route.properties);
}

// The route street by street, under the place it leads to (one place at a time).
function showDirections(placeId, properties) {
  for (const old of document.querySelectorAll("#results .directions")) old.remove();
  const li = $(`result-${placeId}`);
  if (!li) return;
  const legs = properties.directions || [];
  const note = properties.estimate ? labels.directions_estimate : state.query.profile === "stroller" ? labels.steps_avoided : null;
  const box = legs.length
    ? directionsList(legs, { title: labels.directions_title, note })
    : directionsList([], { note: properties.estimate ? labels.directions_estimate : labels.directions_none });
  box.id = `directions-${placeId}`;
  li.querySelector(".card-body").append(box);
}

function updateSheet() {
  const box = $("sheet-items");
  box.replaceChildren(...[...state.shortlist].map((key) => el("input", { type: "hidden", name: "items", value: key })));
  $("sheet-search").value = state.query ? JSON.stringify(state.query) : "";
  $("shortlist-count").textContent = state.shortlist.size;
  $("shortlist-count").dataset.count = state.shortlist.size;
  $("sheet-print").disabled = $("sheet-pdf").disabled = state.shortlist.size === 0;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  runSearch();
});
for (const radio of form.querySelectorAll("input[name=origin_mode]")) radio.addEventListener("change", showPanels);
$("hub-select").addEventListener("change", pickHub);
$("address-find").addEventListener("click", () => findAddress().catch((e) => (status.textContent = e.message)));
$("address-input").addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    findAddress().catch((err) => (status.textContent = err.message));
  }
});
$("max-minutes").addEventListener("input", (e) => ($("max-minutes-value").textContent = e.target.value));
map.onClick((point) => {
  $("origin-mode-map").checked = true;
  showPanels();
  setOrigin({ ...point, source: "map" }, labels.origin_map);
});
$("results").addEventListener("click", (e) => {
  const button = e.target.closest(".result-route");
  if (button) selectPlace(Number(button.dataset.placeId));
});
$("results").addEventListener("change", (e) => {
  const box = e.target.closest(".shortlist-toggle");
  if (!box) return;
  if (box.checked && state.shortlist.size >= MAX_ITEMS) {
    box.checked = false;
    $("result-summary").textContent = fmt(labels.shortlist_full, { n: MAX_ITEMS });
    return;
  }
  if (box.checked) state.shortlist.add(box.value);
  else state.shortlist.delete(box.value);
  updateSheet();
});
setupSchoolCombo({
  input: $("school-input"),
  list: $("school-options"),
  hidden: $("school-id"),
  clear: $("school-clear"),
  schools: JSON.parse($("school-data").textContent),
  onChange: () => {},
});
document.body.dataset.tutorReady = "true";
