// "Copy" buttons: <button data-copy="#id"> copies the text of the element #id and says so in
// its live region. Without the clipboard API (plain http), the text is selected instead.
for (const button of document.querySelectorAll("[data-copy]")) {
  button.hidden = false;
  const source = document.querySelector(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value ?? source.textContent);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      source.focus();
      source.select?.();
      if (status) status.textContent = button.dataset.selected;
    }
  });
}
