/* Asset list: select devices for the bulk "print labels" (checkboxes belong to the label form by
   their form= attribute, so htmx table refreshes keep working). */
(function () {
  "use strict";
  function boxes() { return document.querySelectorAll('input[type=checkbox][name=asset]'); }
  function update() {
    var n = 0;
    boxes().forEach(function (b) { if (b.checked) { n += 1; } });
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = String(n); });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-select-all]")) {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.name === "asset" || (target.matches && target.matches("[data-select-all]"))) { update(); }
  });
  document.addEventListener("htmx:afterSwap", update);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-label-form]")) { return; }
    var any = false;
    boxes().forEach(function (b) { if (b.checked) { any = true; } });
    if (!any) { event.preventDefault(); window.alert(form.getAttribute("data-empty-message") || "—"); }
  });
})();
