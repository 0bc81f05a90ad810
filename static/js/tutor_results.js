// The results list: one entry per place (numbered like its marker), its offers, courses and
// services beneath with walking times, the school-hours fit and a shortlist box. Text goes in
// with textContent only.
import { el, fmt } from "./tutor_api.js";

export function groupByPlace(collection) {
  const places = new Map();
  for (const f of collection.features) {
    const p = f.properties;
    if (p.kind === "market_offer") continue;  // listed apart, after every walkable result
    if (!places.has(p.place_id)) {
      places.set(p.place_id, {
        place_id: p.place_id,
        number: p.number,
        name: p.place_name,
        address: p.address,
        coordinates: f.geometry.coordinates,
        walk_minutes: p.walk_minutes,
        walk_minutes_from_school: p.walk_minutes_from_school,
        items: [],
      });
    }
    places.get(p.place_id).items.push(p);
  }
  return [...places.values()].sort((a, b) => a.number - b.number);
}

function fitBadge(item, labels) {
  if (!item.school_hours_fit) return null;
  const cls = { fits: "text-bg-success", does_not_fit: "text-bg-danger", unknown: "text-bg-secondary" };
  const text = fmt(labels.fit[item.school_hours_fit], { n: item.school_hours_missing_minutes });
  return el("span", { class: `badge fit-badge ${cls[item.school_hours_fit]}` }, text);
}

function itemRow(item, labels, shortlist) {
  const id = `shortlist-${item.key}`;
  const hours = item.hours || "";
  return el(
    "li",
    { class: "result-item", dataset: { key: item.key, kind: item.kind, fit: item.school_hours_fit ?? "" } },
    el("span", { class: "badge text-bg-light kind-badge" }, labels.kinds[item.kind]),
    " ",
    el("span", { class: "result-title" }, item.title),
    hours ? el("small", { class: "d-block text-body-secondary" }, hours) : null,
    fitBadge(item, labels),
    el(
      "div",
      { class: "form-check" },
      el("input", {
        class: "form-check-input shortlist-toggle",
        type: "checkbox",
        id,
        value: item.key,
        checked: shortlist.has(item.key),
      }),
      el("label", { class: "form-check-label", for: id }, labels.shortlist),
    ),
  );
}

export function renderResults(list, places, { labels, estimate, shortlist }) {
  list.replaceChildren(
    ...places.map((place) => {
      const walk = [fmt(labels.walk, { n: place.walk_minutes })];
      const badge = estimate
        ? el("span", { class: "badge text-bg-warning estimate", title: labels.estimate_title }, labels.estimate)
        : null;
      return el(
        "li",
        {
          class: "result card mb-2",
          id: `result-${place.place_id}`,
          dataset: { placeId: place.place_id, number: place.number, walkMinutes: place.walk_minutes },
        },
        el(
          "div",
          { class: "card-body p-2" },
          el(
            "div",
            { class: "d-flex gap-2 align-items-start" },
            el("span", { class: "result-number", "aria-hidden": "true" }, place.number),
            el(
              "div",
              { class: "flex-grow-1" },
              el("h3", { class: "h6 mb-0 result-name" }, `${place.number}. ${place.name}`),
              el("small", { class: "d-block" }, place.address),
              el("span", { class: "walk-minutes" }, walk.join(" ")),
              " ",
              badge,
              place.walk_minutes_from_school
                ? el("span", { class: "d-block small walk-from-school" }, fmt(labels.from_school, { n: place.walk_minutes_from_school }))
                : null,
            ),
            el(
              "button",
              { type: "button", class: "btn btn-sm btn-outline-secondary result-route", dataset: { placeId: place.place_id } },
              labels.route,
            ),
          ),
          el("ul", { class: "list-unstyled mb-0 mt-1 result-items" }, place.items.map((i) => itemRow(i, labels, shortlist))),
        ),
      );
    }),
  );
}
