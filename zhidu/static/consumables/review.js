/* Quota review chart (consumables/review.html, CON-07): data from json_script, no inline code (CSP). */
(function () {
  "use strict";
  function init() {
    var source = document.getElementById("consumables-review-data");
    var el = document.getElementById("consumables-review-chart");
    if (!source || !el || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 50, right: 20, bottom: 60, top: 30 },
      xAxis: { type: "category", data: data.departments, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", name: el.dataset.labelQuota, data: data.quota, itemStyle: { color: "#a8c7ef" } },
        { type: "bar", name: el.dataset.labelUsed, data: data.used, itemStyle: { color: "#206bc4" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
