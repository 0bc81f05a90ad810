// Walking directions street by street, as the server sends them (one entry per leg: "text",
// "distance", "kind"). The texts carry Unicode isolates around street names and distances, so
// an Italian street name keeps its order inside an Arabic sentence; they go in as text nodes.

export function directionsList(legs, { title, note } = {}) {
  const box = document.createElement("div");
  box.className = "directions mt-1";
  if (title) {
    const heading = document.createElement("p");
    heading.className = "small fw-semibold mb-1 directions-title";
    heading.textContent = title;
    box.append(heading);
  }
  const list = document.createElement("ol");
  list.className = "small mb-1 ps-4 directions-legs";
  for (const leg of legs) {
    const item = document.createElement("li");
    item.dataset.kind = leg.kind;
    item.append(leg.text);
    if (leg.distance) {
      const distance = document.createElement("span");
      distance.className = "text-body-secondary directions-distance";
      distance.textContent = `, ${leg.distance}`;
      item.append(distance);
    }
    list.append(item);
  }
  box.append(list);
  if (note) {
    const p = document.createElement("p");
    p.className = "small text-body-secondary mb-0 directions-note";
    p.textContent = note;
    box.append(p);
  }
  return box;
}
