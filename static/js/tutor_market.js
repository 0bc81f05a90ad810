// Open-market offers after every walkable result: outside walking range, with the
// straight-line distance from the origin (none for offers with no fixed place).
import { el, fmt } from "./tutor_api.js";

export function renderMarket(list, collection) {
  const offers = collection.features.filter((f) => f.properties.kind === "market_offer");
  const box = document.getElementById("market-block");
  list.replaceChildren();
  box.hidden = offers.length === 0;
  for (const f of offers) {
    const p = f.properties;
    const distance = p.straight_line_metres === null
      ? list.dataset.noPlace
      : fmt(list.dataset.distance, { km: (p.straight_line_metres / 1000).toFixed(1) });
    const where = [p.organisation, p.area].filter(Boolean).join(" · ");
    list.append(
      el("li", { class: "result market-result", dataset: { key: p.key } },
        el("strong", {}, p.title),
        where ? el("div", { class: "small" }, where) : "",
        el("div", { class: "small outside-range" }, distance),
        /^https?:\/\//i.test(p.link || "")
          ? el("a", { href: p.link, rel: "noopener nofollow", target: "_blank" }, p.source)
          : el("span", {}, p.source)),
    );
  }
}
