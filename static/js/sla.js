// Live SLA countdowns: any element with data-due (and optionally data-warn) turns
// green, amber at its first warning and red once due. The server re-renders the list
// every few seconds (htmx), so recorded breaches and escalations appear as they happen.
(() => {
  if (window.slaCountdowns) return;
  window.slaCountdowns = true;

  const duration = (ms) => {
    const s = Math.floor(Math.abs(ms) / 1000);
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${s % 60} s`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h} h ${m % 60} min`;
    return `${Math.floor(h / 24)} days ${h % 24} h`;
  };

  const tick = () => {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach((el) => {
      const due = Date.parse(el.dataset.due);
      const warn = el.dataset.warn ? Date.parse(el.dataset.warn) : NaN;
      if (Number.isNaN(due)) return;
      const left = due - now;
      const colour = left <= 0 ? "bad" : !Number.isNaN(warn) && now >= warn ? "warn" : "ok";
      el.classList.remove("c-ok", "c-warn", "c-bad");
      el.classList.add(`c-${colour}`);
      const out = el.querySelector(".clock-left");
      if (out) out.textContent = left >= 0 ? `${duration(left)} left` : `${duration(left)} overdue`;
    });
  };

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 1000);
})();
