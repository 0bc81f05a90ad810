// The public map: vendored Leaflet + markercluster, fed by the places GeoJSON. The list
// beside the map is server-rendered HTML; a popup is a copy of its list entry, so user text
// only ever reaches the page through Jinja's escaping or textContent.
import { setupWalk } from "./public_walk.js";

const app = document.getElementById("public-app");
const settings = JSON.parse(app.dataset.settings);
const form = document.getElementById("filters");
const results = document.getElementById("place-results");
const mapEl = document.getElementById("map");
const mapStatus = document.getElementById("map-status");

const map = L.map(mapEl, { zoomControl: true }).setView(settings.centre, 13);
L.tileLayer(settings.tiles.url, {
  attribution: settings.tiles.attribution,
  maxZoom: 19,
  referrerPolicy: "strict-origin-when-cross-origin",
}).addTo(map);

const outlines = L.geoJSON(JSON.parse(document.getElementById("municipi-outlines").textContent), {
  style: { color: "#0b5394", weight: 3, fillOpacity: 0.04, className: "municipio-outline" },
  interactive: false,
}).addTo(map);
// No animation: a zoom still running when the places arrive would undo their fitting.
if (outlines.getBounds().isValid()) {
  map.fitBounds(outlines.getBounds(), { padding: [4, 4], animate: false });
}

map.on("zoomend", () => (mapEl.dataset.zoom = String(map.getZoom())));

const cluster = L.markerClusterGroup({
  maxClusterRadius: 40,
  disableClusteringAtZoom: 17,
  showCoverageOnHover: false,
  animate: false, // markers are where they belong as soon as the map says it is ready
  spiderfyOnMaxZoom: true,
});
map.addLayer(cluster);
const markers = new Map(); // place id (string) → marker

// A popup is only the place's name (and walking minutes): the full entry, copied from the
// list, opens in the panel under the map, which stays readable on a phone.
const detail = document.getElementById("place-detail");

function listItem(id) {
  return results.querySelector(`li[data-place-id="${CSS.escape(id)}"]`);
}

function popupFor(id, name) {
  const box = document.createElement("div");
  box.className = "place-popup";
  const title = document.createElement("strong");
  title.textContent = name;
  box.append(title);
  const li = listItem(id);
  if (li?.dataset.minutes) {
    const line = document.createElement("div");
    line.textContent = li.querySelector(".walk-minutes").textContent;
    box.append(line);
  }
  return box;
}

function showDetail(id) {
  const card = listItem(id)?.querySelector(".place-card");
  if (!card) return;
  const copy = card.cloneNode(true);
  copy.removeAttribute("aria-labelledby");
  copy.querySelectorAll("[id]").forEach((el) => el.removeAttribute("id"));
  copy.querySelectorAll(".show-on-map").forEach((el) => el.remove());
  detail.querySelector(".detail-body").replaceChildren(copy);
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
  const marker = L.marker([lat, lon], { title: name, alt: name, keyboard: true });
  marker.bindPopup(() => popupFor(id, name), { maxWidth: 260, minWidth: 120 });
  marker.on("click", () => showDetail(id));
  marker.on("add", () => marker.getElement()?.setAttribute("data-place-id", id));
  markers.set(id, marker);
  return marker;
}

function filterQuery() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (value && key !== "lang") params.append(key, value);
  }
  return params;
}

function announce(count) {
  mapStatus.textContent = settings.text.shown.replace("%(n)s", count);
}

let generation = 0;
async function loadMarkers(params) {
  const mine = ++generation;
  app.dataset.ready = "false";
  mapEl.dataset.ready = "false";
  const response = await fetch(`${settings.featuresUrl}?${params}`, {
    headers: { Accept: "application/geo+json" },
  });
  const data = await response.json();
  if (mine !== generation) return; // a newer filter change won
  cluster.clearLayers();
  markers.clear();
  cluster.addLayers(data.features.map(makeMarker));
  if (markers.size) {
    map.fitBounds(cluster.getBounds(), { padding: [30, 30], maxZoom: 15, animate: false });
  }
  mapEl.dataset.markers = String(markers.size);
  mapEl.dataset.ready = "true";
  app.dataset.ready = "true";
  announce(markers.size);
  app.dispatchEvent(new CustomEvent("places-loaded"));
}

const walk = setupWalk({ map, settings, results });

async function refresh() {
  const params = filterQuery();
  const pageParams = new URLSearchParams(params);
  const lang = new URLSearchParams(location.search).get("lang");
  if (lang) pageParams.set("lang", lang);
  history.replaceState(null, "", `${location.pathname}?${pageParams}`);
  const share = document.getElementById("share-link");
  if (share) share.search = `?${params}`;
  const listUrl = `${settings.listUrl}${settings.listUrl.includes("?") ? "&" : "?"}${params}`;
  const [html] = await Promise.all([
    fetch(listUrl, { headers: { Accept: "text/html" } }).then((r) => r.text()),
    loadMarkers(params),
  ]);
  results.innerHTML = html; // server-rendered by Jinja (autoescaped)
  detail.hidden = true;
  walk.apply();
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

loadMarkers(filterQuery());
