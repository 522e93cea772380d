// Countdowns for approval requests: every element with data-due-at shows the time left.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }

  function render(el, now) {
    const due = Date.parse(el.dataset.dueAt);
    if (Number.isNaN(due)) return;
    const seconds = Math.round((due - now) / 1000);
    const left = Math.abs(seconds);
    const text = `${Math.floor(left / 60)}:${pad(left % 60)}`;
    el.textContent = seconds >= 0 ? `${text} left to decide` : `overdue by ${text}`;
    el.classList.toggle("overdue", seconds < 0);
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due-at]").forEach((el) => render(el, now));
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!document.querySelector("[data-due-at]")) return;
    tick();
    setInterval(tick, 1000);
  });
})();

// Picking a remedy kind fills in its usual amount, unless the agent already typed their own.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-default-amounts]");
  if (!select) return;
  const amount = select.form && select.form.elements.namedItem("amount");
  if (!amount) return;
  const defaults = JSON.parse(select.dataset.defaultAmounts || "{}");
  if (amount.value === "" || amount.dataset.filled === amount.value) {
    amount.value = defaults[select.value] || "";
    amount.dataset.filled = amount.value;
  }
});
