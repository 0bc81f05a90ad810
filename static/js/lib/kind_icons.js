// One pin per kind of organisation: its own colour and symbol, the same in the map and in the
// legend under it (so pins are told apart without reading them). Inline SVG: nothing loaded.
export const KIND_STYLE = {
  employer: { colour: "#0b5d3b", symbol: "€" },
  parish: { colour: "#6f42c1", symbol: "✝" },
  association: { colour: "#b02a37", symbol: "♥" },
  cooperative: { colour: "#8a4d00", symbol: "C" },
  institution: { colour: "#0a4e8a", symbol: "I" },
  training_centre: { colour: "#9a3412", symbol: "✎" },
  public_service: { colour: "#055160", symbol: "S" },
  school: { colour: "#5c2d91", symbol: "A" },
  hub: { colour: "#000000", symbol: "★" },
};
const FALLBACK = { colour: "#495057", symbol: "•" };

export function pinSvg(kind, size = 30) {
  const { colour, symbol } = KIND_STYLE[kind] || FALLBACK;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${Math.round(size * 1.3)}" viewBox="0 0 30 39" aria-hidden="true">`
    + `<path d="M15 1C7.3 1 1 7.1 1 14.6 1 25 15 38 15 38s14-13 14-23.4C29 7.1 22.7 1 15 1z" fill="${colour}" stroke="#fff" stroke-width="2"/>`
    + `<text x="15" y="19.5" font-size="13" font-family="sans-serif" font-weight="700" fill="#fff" text-anchor="middle">${symbol}</text></svg>`;
}

export function kindIcon(kind) {
  return L.divIcon({ className: "kind-pin", html: pinSvg(kind), iconSize: [30, 39], iconAnchor: [15, 38], popupAnchor: [0, -34] });
}

// The legend: every kind on the map with its pin and its name.
export function renderLegend(container, kinds, labels) {
  container.replaceChildren(...kinds.map((kind) => {
    const item = document.createElement("li");
    item.className = "list-inline-item me-3";
    item.dataset.kind = kind;
    item.innerHTML = pinSvg(kind, 18); // our own constant SVG, no user text
    const name = document.createElement("span");
    name.textContent = ` ${labels[kind] || kind}`;
    item.append(name);
    return item;
  }));
}
