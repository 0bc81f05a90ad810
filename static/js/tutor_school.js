// Type-ahead for the children's school: an ARIA combobox over the school register embedded
// in the page, so nothing typed here leaves the browser.
import { el } from "./tutor_api.js";

const fold = (s) =>
  String(s ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

export function setupSchoolCombo({ input, list, hidden, clear, schools, onChange }) {
  const index = schools.map((s) => ({ ...s, key: fold(`${s.name} ${s.address} ${s.type}`) }));
  let shown = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const choose = (school) => {
    input.value = school ? `${school.name} · ${school.address}` : "";
    hidden.value = school ? String(school.id) : "";
    close();
    onChange(school);
  };

  const render = () => {
    list.replaceChildren(
      ...shown.map((s, i) =>
        el(
          "li",
          {
            id: `school-option-${s.id}`,
            role: "option",
            class: `list-group-item list-group-item-action${i === active ? " active" : ""}`,
            "aria-selected": i === active ? "true" : "false",
            dataset: { schoolId: s.id },
          },
          el("span", { class: "d-block" }, s.name),
          el("small", {}, `${s.address} · ${s.type}`),
        ),
      ),
    );
    list.hidden = shown.length === 0;
    input.setAttribute("aria-expanded", shown.length ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", `school-option-${shown[active].id}`);
  };

  input.addEventListener("input", () => {
    if (hidden.value) {
      hidden.value = "";
      onChange(null);
    }
    const terms = fold(input.value).split(/[\s,.-]+/).filter(Boolean);
    shown = terms.length ? index.filter((s) => terms.every((t) => s.key.includes(t))).slice(0, 12) : [];
    active = -1;
    render();
  });

  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!shown.length) return;
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      active = (active + step + shown.length) % shown.length;
      render();
    } else if (e.key === "Enter" && !list.hidden) {
      e.preventDefault();
      choose(shown[Math.max(active, 0)]);
    } else if (e.key === "Escape") {
      close();
    }
  });

  // mousedown, not click: it comes before the input's blur.
  list.addEventListener("mousedown", (e) => {
    const item = e.target.closest("[data-school-id]");
    if (!item) return;
    e.preventDefault();
    choose(shown.find((s) => String(s.id) === item.dataset.schoolId));
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  clear.addEventListener("click", () => choose(null));
}
