// The basemap of every map: the app's own vector tiles (/tiles/{z}/{x}/{y}.mvt) drawn by the
// vendored protomaps-leaflet, or an external raster tile server when the audience's
// configuration names one. Classic script: `window.scoutBasemap.add(map)` after Leaflet and
// protomaps-leaflet. Settings come from the page's #basemap-settings JSON.
(function () {
  const settingsEl = document.getElementById("basemap-settings");
  const settings = settingsEl ? JSON.parse(settingsEl.textContent) : null;
  const INK = "#3b3b3b";
  const HALO = "#ffffff";
  // Latin-script names in every UI language: Latin fonts first, whatever the page's lang (an
  // Arabic page's system-ui may be an Arabic face).
  const FONT = "'Noto Sans', 'DejaVu Sans', Roboto, Arial, system-ui, sans-serif";
  const font = (size, weight = 400) => `${weight} ${size}px ${FONT}`;
  const is = (key, ...values) => (z, f) => values.includes(f.props[key]);

  function paintRules(P) {
    const width = (base) => (z) => base * Math.max(0.5, 2 ** ((z - 15) / 1.5));
    return [
      { dataLayer: "admin", filter: is("kind", "municipio"),
        symbolizer: new P.PolygonSymbolizer({ fill: "#f3f1ea", opacity: 1 }) },
      { dataLayer: "roads", symbolizer: new P.LineSymbolizer({ color: "#c9b27c", width: width(5) }) },
      { dataLayer: "roads", symbolizer: new P.LineSymbolizer({ color: "#fbe3a4", width: width(3.6) }) },
      { dataLayer: "streets", filter: is("class", "street", "pedestrian", "main"),
        symbolizer: new P.LineSymbolizer({ color: "#b8b5ad", width: width(4.2) }) },
      { dataLayer: "streets", filter: is("class", "street", "pedestrian"),
        symbolizer: new P.LineSymbolizer({ color: "#ffffff", width: width(3) }) },
      { dataLayer: "streets", filter: is("class", "main"),
        symbolizer: new P.LineSymbolizer({ color: "#fbe3a4", width: width(3.6) }) },
      { dataLayer: "streets", filter: is("class", "footway", "crossing"),
        symbolizer: new P.LineSymbolizer({ color: "#9c8566", width: width(0.8), opacity: 0.8 }) },
      { dataLayer: "streets", filter: is("class", "steps"),
        symbolizer: new P.LineSymbolizer({ color: "#b3261e", width: width(2.2), dash: [2, 2], dashColor: "#b3261e", dashWidth: width(2.2) }) },
      { dataLayer: "admin", filter: is("kind", "nil"),
        symbolizer: new P.LineSymbolizer({ color: "#7a8fb5", width: 1, dash: [4, 3], dashColor: "#7a8fb5", dashWidth: 1 }) },
      { dataLayer: "admin", filter: is("kind", "municipio"),
        symbolizer: new P.LineSymbolizer({ color: "#0b5394", width: 2, opacity: 0.7 }) },
    ];
  }

  function labelRules(P) {
    // A street's name along it: 11 px at zoom 15, 12 at 16, 13 from 17 (the tiles hold each
    // street as one merged line, so the name finds a straight stretch as long as itself).
    const street = (size) => new P.LineLabelSymbolizer({
      font: (z) => font(size + Math.min(2, Math.max(0, z - 15)), 500), fill: INK, stroke: HALO,
      width: 3, repeatDistance: 300,
    });
    return [
      { dataLayer: "landmarks", filter: is("kind", "metro"), minzoom: 13,
        symbolizer: new P.GroupSymbolizer([
          new P.CircleSymbolizer({ radius: 5, fill: "#d3212c", stroke: HALO, width: 1.5 }),
          new P.OffsetTextSymbolizer({ font: font(12, 600), fill: "#9b1119", stroke: HALO, width: 3,
            labelProps: ["name"], offsetX: 7, offsetY: 4 }),
        ]) },
      { dataLayer: "landmarks", filter: is("kind", "hub"),
        symbolizer: new P.GroupSymbolizer([
          new P.CircleSymbolizer({ radius: 5, fill: "#146c43", stroke: HALO, width: 1.5 }),
          new P.OffsetTextSymbolizer({ font: font(12, 600), fill: "#0d4a2e", stroke: HALO, width: 3,
            offsetX: 7, offsetY: 4 }),
        ]) },
      { dataLayer: "roads", minzoom: 13, symbolizer: street(11) },
      { dataLayer: "streets", minzoom: 15, filter: (z, f) => Boolean(f.props.name), symbolizer: street(11) },
      { dataLayer: "admin_labels", filter: is("kind", "municipio"), maxzoom: 13,
        symbolizer: new P.CenteredTextSymbolizer({ font: font(14, 700), fill: "#0b5394", stroke: HALO, width: 3 }) },
      { dataLayer: "admin_labels", filter: is("kind", "nil"), minzoom: 13,
        symbolizer: new P.CenteredTextSymbolizer({ font: font(12, 600), fill: "#51607a", stroke: HALO, width: 3,
          textTransform: "uppercase", letterSpacing: 1 }) },
      { dataLayer: "landmarks", filter: is("kind", "school"), minzoom: 15,
        symbolizer: new P.GroupSymbolizer([
          new P.CircleSymbolizer({ radius: 3.5, fill: "#6f42c1", stroke: HALO, width: 1 }),
          new P.OffsetTextSymbolizer({ font: font(11, 400), fill: "#4b2a86", stroke: HALO, width: 3,
            offsetX: 6, offsetY: 4, maxLineChars: 22 }),
        ]) },
    ];
  }

  // A note in the map's corner: which streets it shows.
  function note(map, text) {
    const Note = L.Control.extend({
      onAdd() {
        const box = L.DomUtil.create("div", "basemap-note leaflet-control");
        box.textContent = text;
        // Above the attribution line, readable over the streets.
        Object.assign(box.style, { background: "rgba(255,255,255,0.9)", padding: "2px 6px",
          marginBottom: "1.6rem", maxWidth: "70vw", fontSize: "0.8rem", color: "#333" });
        return box;
      },
    });
    new Note({ position: "bottomleft" }).addTo(map);
  }

  function add(map, options = {}) {
    if (!settings) return null;
    const external = settings.external;
    if (external) {
      return L.tileLayer(external.url, {
        attribution: external.attribution, maxZoom: 19,
        referrerPolicy: "strict-origin-when-cross-origin",
      }).addTo(map);
    }
    const P = window.protomapsL;
    if (!P) return null;
    const layer = P.leafletLayer({
      url: settings.url,
      maxDataZoom: settings.maxDataZoom,
      maxZoom: 19,
      paintRules: paintRules(P),
      labelRules: labelRules(P),
      backgroundColor: "#eceae4",
      lang: "it",
      attribution: settings.attribution,
    });
    // The names are Latin script, drawn left to right even on a right-to-left page: the
    // canvases inherit the layer container's direction (an rtl canvas reorders "Via X - Y"
    // and right-aligns each name on its anchor); the page around the map keeps its own. The
    // container exists once the layer is on the map (later, for a map without a view yet).
    layer.on("add", () => { layer.getContainer().dir = "ltr"; });
    if (layer.scratch) layer.scratch.direction = "ltr";
    layer.addTo(map);
    map.getContainer().dataset.basemap = settings.network ? "streets" : "main-roads";
    // For the browser tests, which move the map as a hand does and read the names it placed.
    map.getContainer().scoutMap = map;
    map.getContainer().scoutBasemap = layer;
    if (!settings.network && settings.note && options.note !== false) note(map, settings.note);
    return layer;
  }

  window.scoutBasemap = { add, settings };
})();
