"""In a real headless Chromium: the seed story. An agent types a complaint about a price above the
menu and sees the price-change article and similar past cases before saving; a lead at WHY takes
a suggested root cause with a click."""

import pytest

from cases import services as case_services
from cases.workflow import Action
from knowledge import services, suggestions
from tests import factories
from tests.e2e.browsing import ARTIFACTS, log_in
from tests.knowledge.conftest import CALLBACK, PRICE, triage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learned(team, agent, lead):
    team.lead = lead
    team.save(update_fields=["lead"])
    product = factories.ProductFactory(name="Restaurant dining")
    price = factories.root_cause("Charged above the menu price", "Pricing")
    callback = factories.root_cause("Callback never made", "Process")
    for texts, cause in ((PRICE, price), (CALLBACK, callback)):
        for text in texts:
            case = factories.open_case(
                actor=agent, team=team, summary=text[:60], description=text, product=product
            )
            triage(case, lead=lead, agent=agent, cause=cause)
    services.article_create(
        actor=lead,
        data={
            "title": "Charged more than the menu price? The packaging price rise",
            "body": "Prices rose by 1.25 for the new eco-friendly packaging; the menu boards change tomorrow.",
            "customer_text": "Sorry for the confusion: our prices went up by 1.25 this week.",
            "root_causes": [price.pk],
        },
    )
    suggestions.model_refresh(force=True)
    return {"product": product, "price": price}


def test_an_agent_sees_the_price_article_while_typing_and_a_lead_takes_a_suggestion(
    live_server, page, agent, lead, team, learned
):
    ARTIFACTS.mkdir(exist_ok=True)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, agent.username)
    page.goto(f"{live_server.url}/cases/new/")
    # By id: the panel listens to these fields whatever the form's layout and labels.
    page.locator("#id_product").select_option(str(learned["product"].pk))
    page.locator("#id_summary").fill("Charged more than the menu price")
    page.locator("#id_description").fill("The menu board says 12.50, the receipt says 15.90.")
    panel = page.locator("#knowledge-intake")
    panel.get_by_text("The packaging price rise").wait_for()
    panel.get_by_text("What worked last time").wait_for()
    page.screenshot(path=str(ARTIFACTS / "knowledge-intake.png"), full_page=True)

    case = factories.open_case(actor=agent, team=team, description="the menu board price is not what i paid")
    case_services.triage_record_what(case=case, actor=agent, answers=factories.WHAT_ANSWERS)
    case_services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    take = page.locator("#knowledge-case").get_by_role("button", name="Take this root cause").first
    take.wait_for()
    page.screenshot(path=str(ARTIFACTS / "knowledge-why.png"), full_page=True)
    take.click()
    page.get_by_text("Root cause set to").wait_for()
    case.refresh_from_db()
    assert case.why.root_cause == learned["price"]
    assert errors == []
