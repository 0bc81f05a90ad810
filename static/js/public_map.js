// The public map: vendored Leaflet + markercluster, fed by the places GeoJSON, which also feeds
// the list (public_list.js). User text only reaches the page through textContent.
import { placeCard, renderList } from "./public_list.js";
import { setupWalk } from "./public_walk.js";
import { plural } from "./lib/plural.js";
import { kindIcon, renderLegend } from "./lib/kind_icons.js";

const app = document.getElementById("public-app");
const settings = JSON.parse(app.dataset.settings);
const form = document.getElementById("filters");
const results = document.getElementById("place-results");
const mapEl = document.getElementById("map");
const mapStatus = document.getElementById("map-status");
const detail = document.getElementById("place-detail");

const map = L.map(mapEl, { zoomControl: true }).setView(settings.centre, 13);
window.scoutBasemap?.add(map);
const outlines = L.geoJSON(JSON.parse(document.getElementById("municipi-outlines").textContent), {
  style: { color: "#0b5394", weight: 3, fillOpacity: 0.04, className: "municipio-outline" },
  interactive: false,
}).addTo(map);
// No animation: a zoom still running when the places arrive would undo their fitting.
if (outlines.getBounds().isValid()) {
  map.fitBounds(outlines.getBounds(), { padding: [4, 4], animate: false });
}
const cluster = L.markerClusterGroup({
  maxClusterRadius: 40,
  disableClusteringAtZoom: 17,
  showCoverageOnHover: false,
  animate: false, // markers are where they belong as soon as the map says it is ready
});
map.addLayer(cluster);

let features = []; // the filtered places, in the server's order (by name)
let walk = null; // { minutes: Map(id → minutes), estimate, number } while an answer is shown
const byId = new Map();
const markers = new Map();

function ordered() {
  if (!walk) return features;
  const key = (f) => walk.minutes.get(String(f.id)) ?? Infinity;
  return [...features].sort((a, b) => key(a) - key(b)); // stable: ties keep the name order
}

function drawList() {
  renderList(results, ordered(), settings, walk);
}

// A popup holds the place's whole entry where the finger is (kind, address, hours, what it
// offers, minutes on foot, directions); the same entry opens in the panel under the map.
function popupFor(id) {
  const box = document.createElement("div");
  box.className = "place-popup";
  const feature = byId.get(id);
  if (!feature) return box;
  const card = placeCard(feature, settings, walk).querySelector(".place-card");
  card.querySelectorAll(".show-on-map").forEach((b) => b.remove());
  box.append(card);
  return box;
}

function showDetail(id) {
  const feature = byId.get(id);
  if (!feature) return;
  const card = placeCard(feature, settings, walk).querySelector(".place-card");
  card.querySelectorAll(".show-on-map").forEach((b) => b.remove());
  detail.querySelector(".detail-body").replaceChildren(card);
  detail.dataset.placeId = id;
  detail.hidden = false;
}

document.getElementById("place-detail-close").addEventListener("click", () => {
  detail.hidden = true;
  map.closePopup();
});

function makeMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const id = String(feature.id);
  const name = feature.properties.name;
  const kind = feature.properties.kind;
  const marker = L.marker([lat, lon], { title: name, alt: name, keyboard: true, icon: kindIcon(kind) });
  marker.bindPopup(() => popupFor(id), { maxWidth: 280, minWidth: 200, maxHeight: 320, autoPanPadding: [10, 10] });
  marker.on("click", () => showDetail(id));
  marker.on("add", () => marker.getElement()?.setAttribute("data-place-id", id));
  markers.set(id, marker);
  byId.set(id, feature);
  return marker;
}

function filterQuery() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (value && key !== "lang") params.append(key, value);
  }
  return params;
}

let generation = 0;
async function load(url) {
  const mine = ++generation;
  mapEl.dataset.ready = "false";
  const response = await fetch(url); // the first one is preloaded by the page (same URL)
  const data = await response.json();
  if (mine !== generation) return; // a newer filter change won
  cluster.clearLayers();
  markers.clear();
  byId.clear();
  features = data.features;
  cluster.addLayers(features.map(makeMarker));
  const kinds = [...new Set(features.map((f) => f.properties.kind).filter(Boolean))].sort();
  renderLegend(document.getElementById("map-legend"), kinds, settings.labels.kinds);
  if (markers.size) {
    map.fitBounds(cluster.getBounds(), { padding: [30, 30], maxZoom: 15, animate: false });
  }
  drawList();
  detail.hidden = true;
  mapEl.dataset.markers = String(markers.size);
  mapEl.dataset.ready = "true";
  mapStatus.textContent = plural(settings.labels.shown, markers.size);
  // Two frames later the markers have been painted (bench/public_map.py reads this mark).
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      performance.mark("scout:markers-drawn");
      mapEl.dataset.drawn = String(mine);
    }),
  );
}

function refresh() {
  const params = filterQuery();
  const pageParams = new URLSearchParams(params);
  const lang = new URLSearchParams(location.search).get("lang");
  if (lang) pageParams.set("lang", lang);
  history.replaceState(null, "", `${location.pathname}?${pageParams}`);
  const share = document.getElementById("share-link");
  if (share) share.search = `?${params}`;
  return load(`${settings.featuresUrl}?${params}`);
}

let timer;
form.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(refresh, 250);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  refresh();
});

results.addEventListener("click", (event) => {
  const button = event.target.closest(".show-on-map");
  const marker = button && markers.get(button.dataset.placeId);
  if (!marker) return;
  mapEl.scrollIntoView({ block: "nearest" });
  cluster.zoomToShowLayer(marker, () => {
    marker.openPopup();
    showDetail(button.dataset.placeId);
  });
});

setupWalk({
  map,
  settings,
  onAnswer(answer) {
    walk = answer && {
      minutes: new Map(answer.walks.map((w) => [String(w.id), w.minutes])),
      estimate: answer.estimate,
      number: new Intl.NumberFormat(settings.locale),
      origin: answer.origin,
      profile: answer.profile,
    };
    drawList();
    if (walk) results.dataset.walk = "true";
    else delete results.dataset.walk;
    if (!walk) return null; // cleared, or the server refused the point
    const nearest = ordered()[0];
    const minutes = nearest && walk.minutes.get(String(nearest.id));
    return minutes === undefined ? null : { name: nearest.properties.name, minutes };
  },
});

load(settings.firstFeed);
