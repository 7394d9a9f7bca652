// The coverage chart; the table under it holds the same figures for anyone without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("coverage-chart");
    var source = document.getElementById("coverage-data");
    if (!el || !source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [data.members_label, data.employers_label] },
      grid: { left: 40, right: 16, bottom: 40, top: 40 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: data.members_label, type: "bar", data: data.members, itemStyle: { color: "#c8102e" } },
        { name: data.employers_label, type: "bar", data: data.employers, itemStyle: { color: "#1d6fb8" } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
