// "How far on foot from me": the visitor's point is POSTed (never put in a URL) and kept only
// in this module's memory; the answer draws the isochrones and goes to ``onAnswer``, which
// puts the minutes in the list and returns the nearest place.
const BAND_STYLE = {
  10: { color: "#0b5394", weight: 2, fillOpacity: 0.25, className: "isochrone band-10" },
  15: { color: "#3d85c6", weight: 2, fillOpacity: 0.12, className: "isochrone band-15" },
};

export function setupWalk({ map, settings, onAnswer }) {
  const t = settings.labels;
  const status = document.getElementById("walk-status");
  const legend = document.getElementById("walk-legend");
  const estimate = document.getElementById("walk-estimate");
  const clearButton = document.getElementById("walk-clear");
  const profile = document.getElementById("walk-profile");
  const number = new Intl.NumberFormat(settings.locale);
  const layer = L.layerGroup().addTo(map);
  let origin = null;

  const say = (text) => (status.textContent = text);

  async function walkFrom(latlng) {
    origin = latlng;
    say(t.loading);
    let response, body;
    try {
      response = await fetch(settings.walkUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ lon: latlng.lng, lat: latlng.lat, profile: profile.value }),
        cache: "no-store",
      });
      body = await response.json();
    } catch {
      response = null;
    }
    if (!response?.ok) {
      clear(); // before the message: clearing empties the sentence
      say(body?.error?.message || t.failed);
      return;
    }
    draw(body);
    const nearest = onAnswer({ ...body, origin: { lon: latlng.lng, lat: latlng.lat }, profile: profile.value });
    say(
      nearest
        ? `${t.from} ${t.nearest
            .replace("%(name)s", nearest.name)
            .replace("%(n)s", number.format(nearest.minutes))}`
        : t.none,
    );
  }

  function draw(answer) {
    layer.clearLayers();
    const bands = [...answer.isochrones.features].sort(
      (a, b) => b.properties.minutes - a.properties.minutes,
    );
    for (const band of bands) {
      const style = BAND_STYLE[band.properties.minutes] || BAND_STYLE[15];
      L.geoJSON(band, { style, interactive: false }).addTo(layer);
    }
    L.circleMarker(origin, { radius: 8, color: "#990000", fillOpacity: 0.9 })
      .bindTooltip(t.you)
      .addTo(layer);
    legend.hidden = false;
    estimate.hidden = !answer.estimate;
    clearButton.hidden = false;
  }

  function clear() {
    origin = null;
    routeLine = null;
    say("");
    layer.clearLayers();
    legend.hidden = true;
    clearButton.hidden = true;
    onAnswer(null);
  }

  // The route of "How to get there" (static/js/public_list.js), over the isochrones.
  let routeLine = null;
  document.addEventListener("walkroute", (event) => {
    if (routeLine) layer.removeLayer(routeLine);
    routeLine = L.geoJSON(event.detail, {
      style: { className: "walk-route", color: "#b3261e", weight: 5, opacity: 0.85 },
      interactive: false,
    }).addTo(layer);
  });

  map.on("click", (event) => walkFrom(event.latlng));
  document.getElementById("walk-centre").addEventListener("click", () => walkFrom(map.getCenter()));
  clearButton.addEventListener("click", clear);
  profile.addEventListener("change", () => origin && walkFrom(origin));
  document.getElementById("walk-locate").addEventListener("click", () => {
    if (!navigator.geolocation) return say(t.noLocation);
    say(t.locating);
    navigator.geolocation.getCurrentPosition(
      (pos) => walkFrom(L.latLng(pos.coords.latitude, pos.coords.longitude)),
      () => say(t.noLocation),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}
