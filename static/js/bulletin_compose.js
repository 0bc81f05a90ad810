// Bulletin compose page: move items up and down without a round trip, grey out dropped
// items, and confirm irreversible actions. Without JavaScript the same buttons submit the
// form and the server moves the item (name="move").
const form = document.getElementById("compose-form");

function move(item, direction) {
  const sibling = direction === "up" ? item.previousElementSibling : item.nextElementSibling;
  if (!sibling || !sibling.matches(".compose-item")) return;
  if (direction === "up") sibling.before(item);
  else sibling.after(item);
  item.querySelector(`[data-move="${direction}"]`).focus();
  item.closest("form").dataset.dirty = "true";
}

if (form) {
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-move]");
    if (!button) return;
    event.preventDefault();
    move(button.closest(".compose-item"), button.dataset.move);
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("input.keep")) {
      event.target.closest(".compose-item").classList.toggle("dropped", !event.target.checked);
    }
  });
}

document.querySelectorAll("button[data-confirm]").forEach((button) => {
  button.addEventListener("click", (event) => {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
});
// For the browser tests: moves happen here now, without a round trip.
if (form) form.dataset.ready = "true";
