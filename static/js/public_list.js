// The list beside the map, drawn from the same GeoJSON as the markers (the server renders the
// first page the same way for visitors without JavaScript: templates/public/_place_list.html).
// Every user-entered value goes in through textContent or a DOM property: it stays text.

import { plural } from "./lib/plural.js";
import { formatSchedule } from "./lib/schedule.js";
import { directionsList } from "./lib/directions.js";

const PAGE = 100; // entries drawn at a time; "Show more" adds the next ones

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// User text and numbers are isolated from the sentence around them, so that in Arabic a
// phone number, a time or an Italian name keeps its order and its parentheses.
function isolated(text) {
  return el("bdi", null, text);
}

function labelled(label, value) {
  const p = el("p", "small mb-1");
  p.append(el("span", "text-body-secondary", `${label}:`), " ", isolated(value));
  return p;
}

export function placeCard(feature, settings, walk) {
  const p = feature.properties;
  const t = settings.labels;
  const li = el("li", "list-group-item place");
  li.dataset.placeId = String(feature.id);
  li.dataset.kind = p.kind || "";
  const card = el("article", "place-card");
  const name = el("h3", "h6 mb-1 place-name", p.name);
  name.dir = "auto";
  card.append(name);
  const line = el("p", "small mb-1");
  line.append(el("span", "place-kind", t.kinds[p.kind] || p.kind || ""));
  if (p.organisation && p.organisation !== p.name) line.append(" · ", isolated(p.organisation));
  if (p.address) line.append(el("br"), Object.assign(el("span", "place-address", p.address), { dir: "ltr" }));
  card.append(line);
  const walkLine = el("p", "walk small mb-1 fw-semibold");
  walkLine.append(el("span", "walk-minutes"), " ", el("span", "badge text-bg-warning estimate", t.estimate));
  walkLine.hidden = !walk;
  if (walk) {
    const minutes = walk.minutes.get(String(feature.id));
    li.dataset.minutes = minutes === undefined ? "" : String(minutes);
    walkLine.querySelector(".walk-minutes").textContent =
      minutes === undefined ? t.over : plural(t.minutes, minutes);
    walkLine.querySelector(".estimate").hidden = !walk.estimate;
  }
  card.append(walkLine);
  const hours = formatSchedule(p.opening_schedule, settings.dayNames) || p.opening_hours;
  if (hours) card.append(labelled(t.hours, hours));
  if (p.languages?.length) {
    const names = new Intl.DisplayNames([settings.locale], { type: "language" });
    const langs = p.languages.map((code) => {
      try {
        return names.of(code);
      } catch {
        return code;
      }
    });
    card.append(labelled(t.languages, langs.join(", ")));
  }
  if (p.resources?.length) {
    const ul = el("ul", "small mb-1 resources");
    for (const r of p.resources) {
      const item = el("li");
      item.append(isolated(r.title), " ");
      item.dataset.resourceKind = r.kind;
      item.append(el("span", "text-body-secondary", `(${t.resources[r.kind] || r.kind})`));
      ul.append(item);
    }
    card.append(ul);
  }
  if (p.accessibility_notes) card.append(labelled(t.accessibility, p.accessibility_notes));
  if (p.verified_on) {
    const day = new Intl.DateTimeFormat(settings.locale, { dateStyle: "long", timeZone: "UTC" })
      .format(new Date(`${p.verified_on}T00:00:00Z`));
    card.append(el("p", "small mb-1 text-body-secondary place-verified", t.verified.replace("{date}", day)));
  }
  const contacts = el("p", "small mb-1 contacts");
  if (p.phone) contacts.append(Object.assign(el("a", null, p.phone), { href: `tel:${p.phone.replaceAll(" ", "")}`, dir: "ltr" }), " ");
  if (p.email) contacts.append(Object.assign(el("a", null, p.email), { href: `mailto:${p.email}`, dir: "ltr" }), " ");
  if (/^https?:\/\//.test(p.website || "")) {
    contacts.append(Object.assign(el("a", null, t.website), { href: p.website, target: "_blank", rel: "noopener noreferrer" }));
  }
  if (contacts.childNodes.length) card.append(contacts);
  const actions = el("p", "mb-0 d-flex flex-wrap gap-2 place-actions");
  const show = el("button", "btn btn-sm btn-outline-primary show-on-map", t.showOnMap);
  show.type = "button";
  show.dataset.placeId = String(feature.id);
  const directions = el("button", "btn btn-sm btn-outline-primary get-directions", t.directions);
  directions.type = "button";
  directions.setAttribute("aria-expanded", "false");
  directions.addEventListener("click", () => showDirections(card, feature, settings, walk, directions));
  actions.append(show, directions);
  card.append(actions);
  li.append(card);
  return li;
}

// "How to get there": the route from the point the visitor chose (kept in the page's memory,
// sent only in a POST body) to this place, street by street, under the card; the line goes to
// the map through a "walkroute" event.
async function showDirections(card, feature, settings, walk, button) {
  const t = settings.labels;
  card.querySelector(".directions")?.remove();
  button.setAttribute("aria-expanded", "true");
  const say = (note) => {
    const box = directionsList([], { note });
    box.setAttribute("role", "status");
    card.append(box);
  };
  if (!walk?.origin) return say(t.directionsNeedStart);
  let body = null;
  try {
    const response = await fetch(settings.routeUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ ...walk.origin, profile: walk.profile, place_id: Number(feature.id) }),
      cache: "no-store",
    });
    body = await response.json();
    if (!response.ok) return say(body?.error?.message || t.failed);
  } catch {
    return say(t.failed);
  }
  card.querySelector(".directions")?.remove();
  if (!body.line) return say(t.directionsNone);
  document.dispatchEvent(new CustomEvent("walkroute", { detail: body.line }));
  if (!body.directions.length) return say(t.directionsEstimate);
  const total = plural(t.minutes, body.minutes);
  const note = walk.profile === "stroller" ? t.stepsAvoided : null;
  const box = directionsList(body.directions, { title: `${t.directionsTitle}: ${total}`, note });
  card.append(box);
}

// Draw the first ``shown`` entries of ``features`` (already in display order).
export function renderList(results, features, settings, walk, shown = PAGE) {
  const t = settings.labels;
  const count = el("p", "small mb-1");
  count.id = "place-count-line";
  const number = el("span", null, plural(t.places, features.length));
  number.id = "place-count";
  number.dataset.count = String(features.length);
  count.append(number);
  const list = el("ol", "list-group place-list");
  list.id = "place-list";
  features.slice(0, shown).forEach((f, i) => {
    const li = placeCard(f, settings, walk);
    li.dataset.order = String(i + 1);
    list.append(li);
  });
  if (!features.length) list.append(el("li", "list-group-item", t.empty));
  results.replaceChildren(count, list);
  if (features.length > shown) {
    const more = el("button", "btn btn-outline-primary w-100 mt-2", t.more);
    more.type = "button";
    more.id = "list-more";
    more.addEventListener("click", () => renderList(results, features, settings, walk, shown + PAGE));
    results.append(more);
  }
}
