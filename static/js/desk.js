// The desk: keyboard shortcuts, live lists that wait while you pick, and "someone is editing".
// No inline scripts (the CSP forbids them), so it all lives here.
(() => {
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const help = () => document.getElementById("shortcuts");

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      if (event.key === "Escape" && typing(event.target)) event.target.blur();
      return;
    }
    if (event.key === "/") {
      const search = document.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    } else if (event.key === "c") {
      const link = document.querySelector("a.primary-link");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    } else if (event.key === "?") {
      const dialog = help();
      if (dialog && !dialog.open) { event.preventDefault(); dialog.showModal(); }
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-shortcuts]")) help()?.close();
    if (event.target.closest("[data-open-shortcuts]")) help()?.showModal();
  });

  // A live list does not refresh under a half-made selection, nor while a form on it is open.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const table = event.target.closest && event.target.closest(".live-table");
    if (table && event.target === table && document.querySelector('input[name="cases"]:checked')) {
      event.preventDefault();
    }
  });

  // Typing on a case page tells the others you are editing it.
  document.addEventListener("input", (event) => {
    const mode = document.getElementById("presence-mode");
    if (mode && event.target.closest("form") && event.target.id !== "global-search") mode.value = "editing";
  });
})();
