/* The equipment dashboard (assets/dashboard.html): charts from the json_script data, no inline code (CSP). */
(function () {
  "use strict";
  function init() {
    var source = document.getElementById("asset-dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var L = data.labels || {};
    function bar(rows, horizontal) {
      var names = rows.map(function (r) { return r.name; });
      var values = rows.map(function (r) { return r.count; });
      var cat = { type: "category", data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
      var val = { type: "value", minInterval: 1 };
      return { tooltip: { trigger: "axis" }, grid: { left: horizontal ? 110 : 40, right: 20, bottom: 60, top: 20 },
        xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
        series: [{ type: "bar", name: L.count, data: values, itemStyle: { color: "#206bc4" } }] };
    }
    var options = {
      by_category: bar(data.by_category, false),
      by_department: bar(data.by_department.slice().reverse(), true),
      by_status: { tooltip: { trigger: "item" }, legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["40%", "70%"], data: data.by_status.map(function (r) {
          return { name: r.label, value: r.count }; }) }] },
      value_by_category: { tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 80, right: 20, bottom: 60, top: 30 },
        xAxis: { type: "category", data: data.value_by_category.map(function (r) { return r.name; }),
          axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", name: L.price, data: data.value_by_category.map(function (r) { return r.price; }) },
                 { type: "bar", name: L.value, data: data.value_by_category.map(function (r) { return r.value; }) }] }
    };
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = options[el.getAttribute("data-chart")];
      if (!option) { return; }
      var chart = echarts.init(el);
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
