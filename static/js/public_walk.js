// "How far on foot from me": the visitor's point is POSTed (never put in a URL), kept only in
// this module's memory, and the answer writes minutes into the list and draws the isochrones.
const BAND_STYLE = {
  10: { color: "#0b5394", weight: 2, fillOpacity: 0.25, className: "isochrone band-10" },
  15: { color: "#3d85c6", weight: 2, fillOpacity: 0.12, className: "isochrone band-15" },
};

export function setupWalk({ map, settings, results }) {
  const t = settings.text;
  const status = document.getElementById("walk-status");
  const legend = document.getElementById("walk-legend");
  const estimate = document.getElementById("walk-estimate");
  const clearButton = document.getElementById("walk-clear");
  const profile = document.getElementById("walk-profile");
  const number = new Intl.NumberFormat(settings.locale);
  const layer = L.layerGroup().addTo(map);
  let origin = null;
  let answer = null;

  function say(text) {
    status.textContent = text;
  }

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
    if (!response || !response.ok) {
      clear(false);
      say(body?.error?.message || t.failed);
      return;
    }
    answer = body;
    draw();
    apply();
  }

  function draw() {
    layer.clearLayers();
    const bands = [...answer.isochrones.features].sort(
      (a, b) => b.properties.minutes - a.properties.minutes,
    );
    for (const band of bands) {
      const style = BAND_STYLE[band.properties.minutes] || BAND_STYLE[15];
      L.geoJSON(band, { style, interactive: false }).addTo(layer);
    }
    L.circleMarker(origin, { radius: 8, color: "#990000", fillOpacity: 0.9, className: "walk-origin" })
      .bindTooltip(t.you)
      .addTo(layer);
    legend.hidden = false;
    estimate.hidden = !answer.estimate;
    clearButton.hidden = false;
  }

  // Write the minutes into every list entry and sort the list, nearest first.
  function apply() {
    const list = results.querySelector("#place-list");
    if (!answer || !list) return;
    const minutes = new Map(answer.walks.map((w) => [String(w.id), w.minutes]));
    const items = [...list.querySelectorAll(":scope > li[data-place-id]")];
    for (const li of items) {
      const m = minutes.get(li.dataset.placeId);
      const line = li.querySelector(".walk");
      li.dataset.minutes = m === undefined ? "" : String(m);
      line.querySelector(".walk-minutes").textContent =
        m === undefined ? t.over : `${number.format(m)} ${t.min}`;
      line.querySelector(".estimate").hidden = !answer.estimate;
      line.hidden = false;
    }
    const key = (li) => (li.dataset.minutes === "" ? Infinity : Number(li.dataset.minutes));
    items.sort((a, b) => key(a) - key(b) || a.dataset.order - b.dataset.order);
    list.append(...items);
    const first = items.find((li) => li.dataset.minutes !== "");
    say(
      first
        ? `${t.from} ${t.nearest
            .replace("%(name)s", first.querySelector(".place-name").textContent)
            .replace("%(n)s", number.format(Number(first.dataset.minutes)))}`
        : t.none,
    );
    results.dataset.walk = "true";
  }

  function clear(resetStatus = true) {
    answer = null;
    origin = null;
    layer.clearLayers();
    legend.hidden = true;
    clearButton.hidden = true;
    delete results.dataset.walk;
    const list = results.querySelector("#place-list");
    if (list) {
      const items = [...list.querySelectorAll(":scope > li[data-place-id]")];
      for (const li of items) {
        delete li.dataset.minutes;
        li.querySelector(".walk").hidden = true;
      }
      items.sort((a, b) => a.dataset.order - b.dataset.order);
      list.append(...items);
    }
    if (resetStatus) say("");
  }

  map.on("click", (event) => walkFrom(event.latlng));
  document.getElementById("walk-centre").addEventListener("click", () => walkFrom(map.getCenter()));
  clearButton.addEventListener("click", () => clear());
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
  return { apply };
}
