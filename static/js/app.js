// Small behaviours for the case pages. No inline scripts: the CSP forbids them.
document.addEventListener("click", (event) => {
  const pick = event.target.closest(".pick-customer");
  if (pick) {
    document.getElementById("id_customer").value = pick.dataset.id;
    // Lets other parts of the page (the customer's open cases) react to the pick.
    document.getElementById("id_customer").dispatchEvent(new Event("change"));
    document.getElementById("picked-label").textContent = pick.dataset.label;
    document.getElementById("picked-customer").hidden = false;
    document.getElementById("new-customer").hidden = true;
    document.getElementById("customer-matches").innerHTML = "";
    document.getElementById("id_summary").focus();
    return;
  }
  if (event.target.id === "unpick-customer") {
    document.getElementById("id_customer").value = "";
    document.getElementById("id_customer").dispatchEvent(new Event("change"));
    document.getElementById("picked-customer").hidden = true;
    document.getElementById("new-customer").hidden = false;
    document.getElementById("customer-search").focus();
  }
});

// The customer lookup by keyboard: ↓ and ↑ move through the matches, Enter picks, Escape
// goes back to typing. Enter in the search box never sends the half-filled form.
function customerLookupKeys(event) {
  const search = document.getElementById("customer-search");
  const list = document.getElementById("customer-matches");
  if (!search || !list || !(event.target === search || list.contains(event.target))) return;
  const options = Array.from(list.querySelectorAll(".pick-customer"));
  const at = options.indexOf(document.activeElement);
  const move = (index) => {
    options.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
    options[index].focus();
  };
  if (event.key === "ArrowDown" && options.length) {
    event.preventDefault();
    move(at < 0 ? 0 : Math.min(at + 1, options.length - 1));
  } else if (event.key === "ArrowUp" && options.length) {
    event.preventDefault();
    if (at <= 0) search.focus();
    else move(at - 1);
  } else if (event.key === "Escape") {
    search.focus();
  } else if (event.key === "Enter" && event.target === search) {
    event.preventDefault();
    if (options.length) options[0].click();
  }
}
document.addEventListener("keydown", customerLookupKeys);
