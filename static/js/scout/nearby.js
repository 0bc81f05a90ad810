// "To visit near me": asks the tablet for its position, reloads the list for it (the
// position is POSTed in a form, never put in the URL, and is not stored), and draws the
// places on a map.
import { messages } from "./status.js";

const el = document.getElementById("nearby-map");
const state = document.getElementById("nearby-state");

function locate() {
  if (!navigator.geolocation) { state.textContent = messages.no_gps; return; }
  state.textContent = messages.locating;
  navigator.geolocation.getCurrentPosition((pos) => {
    const form = document.getElementById("nearby-form");
    form.elements.lon.value = pos.coords.longitude.toFixed(6);
    form.elements.lat.value = pos.coords.latitude.toFixed(6);
    form.submit();
  }, () => { state.textContent = messages.no_gps; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
}

document.getElementById("nearby-locate")?.addEventListener("click", locate);

// The filter ("everything" / "to re-verify") reloads the list from the same position.
for (const radio of document.querySelectorAll('#nearby-filter input[name="due"]')) {
  radio.addEventListener("change", () => {
    const form = document.getElementById("nearby-form");
    if (form.elements.lon.value) form.submit(); else locate();
  });
}
// A filter tapped before this script ran (a slow tablet) is applied now, not lost.
const filterForm = document.getElementById("nearby-form");
const chosen = filterForm?.querySelector('input[name="due"]:checked');
if (chosen && filterForm.elements.lon.value && chosen.value !== filterForm.dataset.due) filterForm.submit();

if (el && window.L) {
  const origin = JSON.parse(el.dataset.origin || "null");
  const rows = JSON.parse(document.getElementById("nearby-data")?.textContent || "[]");
  const map = L.map(el).setView(origin || [45.4935, 9.22], origin ? 16 : 14);
  window.scoutBasemap?.add(map);
  if (origin) L.circleMarker(origin, { radius: 8, color: "#0b5394", fillOpacity: 0.8 }).addTo(map);
  for (const r of rows) {
    const link = document.createElement("a");
    link.href = r.url;
    link.textContent = `${r.name} · ${r.minutes} ${messages.minutes}`;
    L.marker([r.lat, r.lon], { title: r.name }).bindPopup(link).addTo(map);
  }
  if (!origin) locate();
}
