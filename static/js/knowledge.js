// "Use in reply": the article's customer text into the reply composer when the page has one,
// otherwise onto the clipboard. Loaded by each knowledge panel; the flag keeps one listener.
if (!window.knowledgeReplyButtons) {
  window.knowledgeReplyButtons = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-customer-text]");
    if (!button) return;
    const text = button.dataset.customerText;
    const reply = document.getElementById("reply-body");
    if (reply) {
      reply.value = reply.value ? `${reply.value}\n\n${text}` : text;
      reply.dispatchEvent(new Event("input", { bubbles: true }));
      reply.focus();
      button.textContent = "Added to the reply";
    } else if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(() => { button.textContent = "Copied"; });
    }
  });
}
