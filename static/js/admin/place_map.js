// A small map on the coordinator's place and review pages: the place's pin over the
// neighbourhood (NIL) outlines around it, with their names. Leaflet is a classic script
// (global L); the app's own basemap (lib/basemap.js), so no other server learns what is being
// reviewed.
for (const el of document.querySelectorAll(".place-mini-map")) {
  if (!window.L) break;
  const lat = Number(el.dataset.lat);
  const lon = Number(el.dataset.lon);
  const map = L.map(el, { scrollWheelZoom: false }).setView([lat, lon], 16);
  window.scoutBasemap?.add(map, { note: false });
  const outlines = JSON.parse(el.querySelector("script[type='application/json']")?.textContent || "[]");
  for (const { name, geometry } of outlines) {
    L.geoJSON(geometry, { interactive: false, style: { color: "#0b5394", weight: 2, fillOpacity: 0.04 } })
      .bindTooltip(name, { permanent: false })
      .addTo(map);
  }
  L.marker([lat, lon], { title: el.dataset.label, alt: el.dataset.label, keyboard: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
}
