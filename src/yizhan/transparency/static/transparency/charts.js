// Charts of the public platform page (Apache ECharts, served locally). The same figures are
// in the tables beside each chart; this file only draws them. Data come from json_script.
(function () {
  "use strict";

  function data(el) {
    var source = document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function pct(value) {
    return value === null || value === undefined ? "—" : value.toFixed(1) + "%";
  }

  var PALETTE = ["#c8102e", "#1d4ed8", "#0f766e", "#a16207", "#6d28d9", "#475569"];

  function capsChart(el, d) {
    var series = d.series.map(function (s) {
      return { name: s.name, type: "line", step: "end", data: s.data.concat([[d.today, s.data.length ? s.data[s.data.length - 1][1] : null]]), connectNulls: false, symbolSize: 7 };
    });
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: pct },
      legend: { top: 0 },
      grid: { left: 44, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "time" },
      yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
      series: series,
    };
  }

  function indexChart(el, d) {
    var series = [];
    d.services.forEach(function (s, i) {
      var colour = PALETTE[i % PALETTE.length];
      series.push({ name: s.name + " P50", type: "line", data: s.median, connectNulls: false, lineStyle: { color: colour }, itemStyle: { color: colour } });
      series.push({ name: s.name + " P90", type: "line", data: s.p90, connectNulls: false, lineStyle: { color: colour, type: "dashed" }, itemStyle: { color: colour } });
      series.push({ name: s.name + " cap", type: "line", step: "middle", data: s.cap, symbol: "none", lineStyle: { color: colour, width: 3, opacity: 0.35 }, itemStyle: { color: colour } });
    });
    return {
      tooltip: { trigger: "axis", valueFormatter: pct },
      legend: { top: 0, type: "scroll" },
      grid: { left: 44, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
      series: series,
    };
  }

  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.ready) return;
      var d = data(el);
      if (!d) return;
      el.dataset.ready = "1";
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(el.dataset.chart === "caps" ? capsChart(el, d) : indexChart(el, d));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
