"""In a real headless Chromium: log in, log a complaint, answer WHAT and reach WHY."""

from pathlib import Path

import pytest

from cases.models import Case
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_an_agent_logs_a_complaint_and_moves_it_to_why(live_server, page, agent, team):
    factories.ProductFactory(name="Home delivery")
    factories.CustomerFactory(name="Maria Lopez", email="maria@example.com")
    ARTIFACTS.mkdir(exist_ok=True)
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My cases").wait_for()

    page.get_by_role("link", name="+ New case").click()
    page.get_by_label("Find by name, e-mail or phone").fill("Maria")
    page.get_by_role("button", name="Maria Lopez").click()
    page.get_by_label("What went wrong, in one line").fill("Charged above the menu price")
    page.get_by_label("Channel").select_option("in_person")
    page.get_by_label("Product or service").select_option(label="Home delivery")
    page.get_by_label("Point in the journey").select_option("billing")
    page.get_by_role("button", name="Open case").click()
    page.get_by_text("The clock is running").wait_for()

    case = Case.objects.get()
    assert case.customer.name == "Maria Lopez" and case.channel == "in_person"

    what = page.locator("#triage-what")
    what.get_by_label("What specifically is the customer unhappy about?").fill("Paid 15.90 for a 12.50 dish")
    what.get_by_label("The whole product or service").check()
    what.get_by_label("At which point of the journey").select_option("billing")
    what.get_by_label("No", exact=True).check()
    what.get_by_role("button", name="Save and move to WHY").click()
    page.get_by_text("Stage completed.").wait_for()
    page.screenshot(path=str(ARTIFACTS / "case-at-why.png"), full_page=True)

    case.refresh_from_db()
    assert case.triage_stage == "why"
    assert page.locator(".stages li.current").inner_text() == "WHY it happened"
    assert "completed WHAT happened" in page.locator("#timeline ~ ol").inner_text()
    # The strict CSP must not have blocked anything the pages need.
    assert console_errors == []
