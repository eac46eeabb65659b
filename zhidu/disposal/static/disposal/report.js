/* Disposals by year (DSP report): bars of items disposed, line of proceeds. Data from json_script (CSP). */
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("disposal-by-year-chart");
    var src = document.getElementById("disposal-by-year-data");
    if (!el || !src || !window.echarts) { return; }
    var data = JSON.parse(src.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [data.labels.items, data.labels.proceeds] },
      xAxis: { type: "category", data: data.years },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value" }],
      series: [
        { name: data.labels.items, type: "bar", data: data.items },
        { name: data.labels.proceeds, type: "line", yAxisIndex: 1, data: data.proceeds }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
