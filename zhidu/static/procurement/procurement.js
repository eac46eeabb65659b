// Purchase request form: live line amounts and total (no inline scripts: the CSP forbids them).
(function () {
  const box = document.querySelector("[data-purchase-lines]");
  if (!box) return;
  const money = new Intl.NumberFormat("zh-CN", { style: "currency", currency: "CNY", minimumFractionDigits: 2 });
  function recompute() {
    let total = 0;
    box.querySelectorAll("[data-formset-row]").forEach((row) => {
      const deleted = row.querySelector('input[name$="-DELETE"]');
      const qty = parseFloat((row.querySelector("[data-line-quantity]") || {}).value || "0");
      const price = parseFloat((row.querySelector("[data-line-price]") || {}).value || "0");
      const amount = Number.isFinite(qty * price) ? qty * price : 0;
      row.classList.toggle("opacity-50", !!(deleted && deleted.checked));
      if (!(deleted && deleted.checked)) total += Math.round(amount * 100) / 100;
    });
    const out = box.querySelector("[data-lines-total]");
    if (out) out.textContent = money.format(total);
  }
  box.addEventListener("input", recompute);
  box.addEventListener("change", recompute);
  box.addEventListener("click", (event) => {
    if (event.target.closest("[data-formset-add]")) window.setTimeout(recompute, 0);
  });
  recompute();
})();
