// Weekly schedule grids: "same as Monday" copies Monday's time windows to a day, or to
// Tuesday-Friday at once.
for (const box of document.querySelectorAll("[data-schedule]")) {
  const name = box.dataset.schedule;
  const inputsOf = (day) => [...box.querySelectorAll(`input[name^="${name}-${day}-"]`)];
  const copy = (day) => {
    const monday = inputsOf(0);
    inputsOf(day).forEach((input, i) => { input.value = monday[i].value; });
  };
  box.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy-monday]");
    if (!button) return;
    const target = button.dataset.copyMonday;
    if (target === "weekdays") [1, 2, 3, 4].forEach(copy);
    else copy(Number(target));
  });
}
