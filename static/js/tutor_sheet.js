// The printable sheet: a button that opens the browser's print dialog.
document.getElementById("sheet-print-button")?.addEventListener("click", () => window.print());
