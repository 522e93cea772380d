// The reply composer: a template fills the message; an internal note hides what only the
// customer's copy needs. No inline scripts: the CSP forbids them.
(function () {
  function visibility(form) {
    const internal = form.querySelector("input[name=visibility][value=internal]");
    const isNote = internal && internal.checked;
    form.querySelectorAll(".public-only").forEach((el) => {
      if (el.id === "reply-promise") return; // shown by the template's kind only
      el.hidden = isNote;
    });
    if (isNote) form.querySelector("#reply-promise").hidden = true;
    form.querySelector("#reply-send").textContent = isNote ? "Add internal note" : "Send";
  }

  document.addEventListener("change", (event) => {
    const form = event.target.closest("#reply-form");
    if (!form) return;
    if (event.target.name === "visibility") visibility(form);
    if (event.target.name === "template") {
      const option = event.target.selectedOptions[0];
      if (option && option.value) {
        form.querySelector("[name=subject]").value = option.dataset.subject || "";
        form.querySelector("[name=body]").value = option.dataset.body || "";
        // The preview listens for typing: tell it the text changed, now that it has.
        form.querySelector("[name=body]").dispatchEvent(new Event("input", { bubbles: true }));
      }
      form.querySelector("#reply-promise").hidden = !(option && option.dataset.kind === "expectation");
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("reply-form");
    if (form) visibility(form);
  });
})();

// `r` on a case page: straight to the reply composer (typing in a field is left alone).
function replyShortcut(event) {
  if (event.key !== "r" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  const body = document.querySelector("#reply-form [name=body]");
  if (!body) return;
  event.preventDefault();
  body.scrollIntoView({ block: "center" });
  body.focus();
}
document.addEventListener("keydown", replyShortcut);
