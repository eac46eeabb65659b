// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]")) el.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
  const printer = event.target.closest("[data-print]");
  if (printer) { event.preventDefault(); window.print(); }
});

// Formsets (line items): "add line" clones the empty form of {% render_formset %}.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  event.preventDefault();
  const box = button.closest("[data-formset]");
  const prefix = box.dataset.prefix;
  const total = box.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const max = box.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
  const count = parseInt(total.value, 10);
  if (max && max.value && count >= parseInt(max.value, 10)) return;
  const template = box.querySelector("template[data-formset-empty]");
  const html = template.innerHTML.replace(/__prefix__/g, String(count));
  box.querySelector("[data-formset-body]").insertAdjacentHTML("beforeend", html);
  total.value = String(count + 1);
  const row = box.querySelector("[data-formset-body]").lastElementChild;
  const first = row && row.querySelector("input:not([type=hidden]), select, textarea");
  if (first) first.focus();
});
