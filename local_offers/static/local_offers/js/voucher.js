// The voucher page: the print button (the page's print stylesheet keeps the voucher alone).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
