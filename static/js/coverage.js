// The coverage map (a coordinator's, or a scout's of her areas): NIL or 250 m squares coloured
// by coverage, with each cell's numbers on hover (tooltip) and on tap (the panel beside the map). No tiles: the outlines
// are the map. User text never reaches it (cell names are NIL names or grid keys).
const el = document.getElementById("coverage-map");
const panel = document.getElementById("coverage-cell");
const labels = JSON.parse(document.getElementById("coverage-labels").textContent);
const data = JSON.parse(document.getElementById("coverage-data").textContent);
const ORDER = ["places", "partners", "offers", "courses", "visits", "to_visit", "last_visit", "coverage"];

function colour(share) {
  if (share === null || share === undefined) return "#d9d9d9";
  if (share < 0.25) return "#fee5d9";
  if (share < 0.5) return "#fcae91";
  if (share < 0.75) return "#9ecae1";
  return "#3182bd";
}

function value(p, key) {
  if (key === "coverage") return p.coverage === null ? "—" : `${Math.round(p.coverage * 100)}%`;
  if (key === "last_visit") {
    if (!p.last_visit) return "—";
    return new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeZone: "UTC" })
      .format(new Date(`${p.last_visit}T00:00:00Z`));
  }
  return String(p[key]);
}

function numbers(p) {
  const box = document.createElement("div");
  box.className = "coverage-numbers";
  box.dataset.cell = p.key;
  const title = document.createElement("strong");
  title.textContent = p.name;
  const list = document.createElement("dl");
  list.className = "row mb-0";
  for (const key of ORDER) {
    const dt = document.createElement("dt");
    dt.className = "col-8 fw-normal";
    dt.textContent = labels[key];
    const dd = document.createElement("dd");
    dd.className = "col-4 mb-0 text-end";
    dd.dataset.metric = key;
    dd.textContent = value(p, key);
    list.append(dt, dd);
  }
  box.append(title, list);
  return box;
}

if (window.L) {
  const map = L.map(el, { zoomSnap: 0.25 });
  // The app's own streets under the cells, seen through them: which streets are mapped.
  const streets = window.scoutBasemap?.add(map, { note: false });
  const layer = L.geoJSON(data, {
    style: (f) => ({
      color: "#555", weight: 1, fillColor: colour(f.properties.coverage), fillOpacity: streets ? 0.5 : 0.7,
    }),
    onEachFeature: (f, lyr) => {
      lyr.bindTooltip(() => numbers(f.properties), { sticky: true });
      lyr.on("click", () => panel.replaceChildren(numbers(f.properties)));
      lyr.on("add", () => lyr.getElement?.()?.setAttribute("data-cell", f.properties.key));
    },
  }).addTo(map);
  if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
  else map.setView([45.4935, 9.22], 13);
  L.control.scale({ imperial: false }).addTo(map);
  el.dataset.ready = "true";
}
