// The results map: start and school markers, isochrone bands, numbered result markers and the
// walking route, drawn on the folium-made Leaflet map. GeoJSON is [lon, lat]; Leaflet is
// [lat, lon]: the flip happens here only.
const L = window.L;

export class ResultMap {
  constructor(map, labels) {
    this.map = map;
    this.labels = labels;
    this.bands = L.layerGroup().addTo(map);
    this.route = L.layerGroup().addTo(map);
    this.markers = L.layerGroup().addTo(map);
    this.pins = L.layerGroup().addTo(map);
    this.home = null;
    this.school = null;
  }

  onClick(handler) {
    this.map.on("click", (e) => handler({ lon: e.latlng.lng, lat: e.latlng.lat }));
  }

  _pin(point, className, title) {
    return L.marker([point.lat, point.lon], {
      icon: L.divIcon({ className, iconSize: [22, 22] }),
      title,
      keyboard: false,
      interactive: false,
    });
  }

  setHome(point) {
    if (this.home) this.pins.removeLayer(this.home);
    this.home = point ? this._pin(point, "home-marker", this.labels.home).addTo(this.pins) : null;
    if (point) this.map.panTo([point.lat, point.lon]);
  }

  setSchool(school) {
    if (this.school) this.pins.removeLayer(this.school);
    this.school = null;
    if (school) {
      const [lon, lat] = school.geometry.coordinates;
      this.school = this._pin({ lon, lat }, "school-marker", `${this.labels.school}: ${school.name}`);
      this.school.addTo(this.pins);
    }
  }

  setBands(collection) {
    this.bands.clearLayers();
    const features = [...(collection?.features ?? [])].sort(
      (a, b) => b.properties.minutes - a.properties.minutes,
    );
    for (const f of features) {
      const minutes = f.properties.minutes;
      L.geoJSON(f, {
        interactive: false,
        style: {
          className: `isochrone isochrone-${minutes}`,
          color: "#0b5394",
          weight: 1,
          fillOpacity: 0.07,
        },
      }).addTo(this.bands);
    }
  }

  setResults(places, onSelect) {
    this.markers.clearLayers();
    this.route.clearLayers();
    const bounds = [];
    for (const place of places) {
      const [lon, lat] = place.coordinates;
      const icon = L.divIcon({
        className: "result-marker",
        html: `<span>${Number(place.number)}</span>`,
        iconSize: [28, 28],
      });
      const marker = L.marker([lat, lon], { icon, title: `${place.number}. ${place.name}` });
      marker.on("click", () => onSelect(place.place_id));
      marker.on("keypress", (e) => e.originalEvent.key === "Enter" && onSelect(place.place_id));
      marker.addTo(this.markers);
      marker.getElement()?.setAttribute("data-place-id", place.place_id);
      bounds.push([lat, lon]);
    }
    if (this.home) bounds.push(this.home.getLatLng());
    if (bounds.length > 1) this.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
  }

  select(placeId) {
    this.markers.eachLayer((m) => {
      const node = m.getElement();
      node?.classList.toggle("selected", node.dataset.placeId === String(placeId));
    });
  }

  setRoute(feature) {
    this.route.clearLayers();
    if (!feature?.geometry) return;
    L.geoJSON(feature, {
      interactive: false,
      style: { className: "walk-route", color: "#b3261e", weight: 5, opacity: 0.85 },
    }).addTo(this.route);
  }
}
