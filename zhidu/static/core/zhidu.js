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

// Person picker (zhidu.org.forms.PersonPickerField): htmx fills the options; a pick sets the hidden
// id and the box's text; typing again clears the id; Enter picks the first option (no form submit).
function pickPerson(option) {
  const picker = option.closest("[data-person-picker]");
  picker.querySelector("[data-person-picker-value]").value = option.dataset.personPick;
  const search = picker.querySelector("[data-person-picker-search]");
  search.value = option.dataset.personLabel;
  search.setAttribute("aria-expanded", "false");
  picker.querySelector("[data-person-picker-options]").innerHTML = "";
}
document.addEventListener("click", (event) => {
  const option = event.target.closest("[data-person-pick]");
  if (option) { event.preventDefault(); pickPerson(option); }
});
document.addEventListener("input", (event) => {
  if (!event.target.matches("[data-person-picker-search]")) return;
  event.target.closest("[data-person-picker]").querySelector("[data-person-picker-value]").value = "";
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !event.target.matches("[data-person-picker-search]")) return;
  event.preventDefault();
  const first = event.target.closest("[data-person-picker]").querySelector("[data-person-pick]");
  if (first) pickPerson(first);
});
document.addEventListener("htmx:afterSwap", (event) => {
  if (!event.target.matches("[data-person-picker-options]")) return;
  const search = event.target.closest("[data-person-picker]").querySelector("[data-person-picker-search]");
  search.setAttribute("aria-expanded", event.target.querySelector("[data-person-pick]") ? "true" : "false");
});
