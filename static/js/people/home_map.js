// Her record's small map: a tap sets her home's point in the form's two number fields, which
// travel only in the form's POST and are encrypted when the record is saved. The map opens on
// the area served, never on a stored home (the browser is never given it); it draws the app's
// own basemap (lib/basemap.js, no other server). Leaflet is a classic script (global L).
const el = document.getElementById("home-map");
const lon = document.getElementById("home_lon");
const lat = document.getElementById("home_lat");
const status = document.getElementById("home-map-status");

if (el && window.L && lon && lat) {
  const [centreLat, centreLon] = JSON.parse(el.dataset.centre);
  const map = L.map(el, { scrollWheelZoom: false }).setView([centreLat, centreLon], 14);
  window.scoutBasemap?.add(map, { note: false });
  L.control.scale({ imperial: false }).addTo(map);
  let marker = null;

  const show = (latlng) => {
    if (marker) marker.setLatLng(latlng);
    else marker = L.circleMarker(latlng, { radius: 9, color: "#0b5394", weight: 3,
                                           fillColor: "#0b5394", fillOpacity: 0.5,
                                           interactive: false }).addTo(map);
  };

  map.on("click", (e) => {
    lon.value = e.latlng.lng.toFixed(7);
    lat.value = e.latlng.lat.toFixed(7);
    show(e.latlng);
    if (status) status.textContent = el.dataset.setText;
    document.getElementById("home-point")?.setAttribute("open", "");
  });

  // Numbers typed (or kept from a refused save) show as the marker.
  const typed = () => {
    const x = Number.parseFloat(lon.value);
    const y = Number.parseFloat(lat.value);
    if (Number.isFinite(x) && Number.isFinite(y)) show([y, x]);
  };
  lon.addEventListener("change", typed);
  lat.addEventListener("change", typed);
  typed();
  el.dataset.ready = "1"; // for the browser tests: the map answers taps now
  el.scoutMap = map;
}
