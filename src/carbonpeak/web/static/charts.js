// Draw each chart from the JSON option the page carries next to it (no inline script).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var option = JSON.parse(document.getElementById(element.dataset.chart).textContent);
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
