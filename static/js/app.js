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
