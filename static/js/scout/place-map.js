// The place form's map: centres on the tablet's GPS position and draws its accuracy; a poor
// fix asks the scout to confirm or drag the pin; tapping the map or dragging the pin sets
// the point by hand. Leaflet is a classic script (global L); [lat, lon] only here.
import { messages } from "./status.js";

const el = document.getElementById("place-map");
const input = (name) => document.querySelector(`#place-form [name="${name}"]`);

if (el && window.L) {
  const maxAccuracy = Number(el.dataset.accuracyMax || 50);
  const map = L.map(el).setView(JSON.parse(el.dataset.centre), 15);
  window.scoutBasemap?.add(map);
  const area = JSON.parse(document.getElementById("service-area")?.textContent || "null");
  if (area?.features?.length) {
    L.geoJSON(area, { interactive: false, style: { color: "#0b5394", weight: 2, fillOpacity: 0.03 } }).addTo(map);
  }
  let marker = null;
  let circle = null;
  const warning = document.getElementById("accuracy-warning");
  const readout = document.getElementById("position-readout");

  function setPoint(lat, lon, source, accuracy) {
    input("lat").value = lat.toFixed(7);
    input("lon").value = lon.toFixed(7);
    input("position_source").value = source;
    input("accuracy_m").value = accuracy == null ? "" : String(Math.round(accuracy));
    if (!marker) {
      marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: "pin" }).addTo(map);
      marker.on("dragend", () => {
        const p = marker.getLatLng();
        setPoint(p.lat, p.lng, "manual", null);
      });
    } else {
      marker.setLatLng([lat, lon]);
    }
    const poor = source === "gps" && accuracy > maxAccuracy;
    warning.hidden = !poor;
    if (poor) {
      document.getElementById("accuracy-text").textContent = messages.accuracy.replace("{m}", Math.round(accuracy));
      input("position_confirmed").checked = false;
    }
    if (source !== "gps" && circle) { circle.remove(); circle = null; }
    readout.textContent = `${lat.toFixed(5)}, ${lon.toFixed(5)}` + (accuracy ? ` (± ${Math.round(accuracy)} m)` : "");
    el.dataset.source = source;
  }

  function locate() {
    if (!navigator.geolocation) { readout.textContent = messages.no_gps; return; }
    readout.textContent = messages.locating;
    navigator.geolocation.getCurrentPosition((pos) => {
      const { latitude, longitude, accuracy } = pos.coords;
      setPoint(latitude, longitude, "gps", accuracy);
      if (circle) circle.remove();
      circle = L.circle([latitude, longitude], { radius: accuracy, weight: 1, interactive: false }).addTo(map);
      map.setView([latitude, longitude], accuracy > 200 ? 15 : 18);
    }, () => { readout.textContent = messages.no_gps; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  }

  map.on("click", (e) => setPoint(e.latlng.lat, e.latlng.lng, "manual", null));
  // A reopened outbox entry brings its own point (forms.js): show it, do not ask the GPS.
  const reopening = location.hash.includes("outbox=");
  document.getElementById("place-form").addEventListener("scout:restored", () => {
    const lat = parseFloat(input("lat").value);
    const lon = parseFloat(input("lon").value);
    if (Number.isNaN(lat) || Number.isNaN(lon)) return;
    const acc = parseFloat(input("accuracy_m").value);
    setPoint(lat, lon, input("position_source").value || "stored", Number.isNaN(acc) ? null : acc);
    map.setView([lat, lon], 16);
  });
  document.getElementById("locate").addEventListener("click", locate);

  const lat = parseFloat(input("lat").value);
  const lon = parseFloat(input("lon").value);
  if (!Number.isNaN(lat) && !Number.isNaN(lon)) {
    const acc = parseFloat(input("accuracy_m").value);
    const source = input("position_source").value || "stored";
    setPoint(lat, lon, source, Number.isNaN(acc) ? null : acc);
    if (source === "gps" && input("position_confirmed").checked) warning.hidden = true;
    map.setView([lat, lon], 18);
  } else if (el.dataset.locate === "true" && !reopening) {
    locate();
  }
  el.dataset.ready = "true";
}
