// Dashboard and improvement charts. The numbers come from json_script blocks (data, not code),
// and every chart has a table of the same numbers beside it.
(function () {
  if (typeof Chart === "undefined") return;
  const ACCENT = "#2457c5", OK = "#1f7a4d", WARN = "#a86300", MUTED = "#9aa3b2";

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  const builders = {
    trend: (d) => ({
      type: "bar",
      data: {
        labels: d.trend.labels,
        datasets: [
          { label: "Opened", data: d.trend.opened, backgroundColor: ACCENT },
          { label: "Resolved", data: d.trend.resolved, backgroundColor: OK },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
    pareto: (d) => ({
      type: "bar",
      data: {
        labels: d.pareto.labels,
        datasets: [
          { type: "bar", label: "Cases", data: d.pareto.counts, backgroundColor: ACCENT, yAxisID: "y" },
          { type: "line", label: "Cumulative %", data: d.pareto.cumulative, borderColor: WARN, yAxisID: "pct" },
        ],
      },
      options: {
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } },
        },
      },
    }),
    csat: (d) => ({
      type: "bar",
      data: { labels: d.csat.labels, datasets: [{ label: "Answers", data: d.csat.counts, backgroundColor: OK }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
    effect: (d) => ({
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: "Before", data: d.before, backgroundColor: MUTED },
          { label: "After", data: d.after, backgroundColor: OK },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { beginAtZero: true, stacked: true, ticks: { precision: 0 } } } },
    }),
  };

  const dashboard = data("dashboard-data");
  const effect = data("effect-data");
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const kind = canvas.dataset.chart;
    const source = kind === "effect" ? effect : dashboard;
    if (!source || !builders[kind]) return;
    const config = builders[kind](source);
    config.options = { ...config.options, animation: false, maintainAspectRatio: false };
    new Chart(canvas, config);
  });
})();
