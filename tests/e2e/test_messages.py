"""In a real headless Chromium: an agent sends the apology from the case page's reply composer."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Case
from messaging.models import CustomerMessage, MessageTemplate
from sla.models import Clock
from sla.policies import policies_ensure_defaults
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_an_agent_sends_the_apology_from_the_case_page(live_server, page, agent, team):
    # Transactional tests flush the data migration's templates: put the apology back.
    MessageTemplate.objects.get_or_create(
        name="Apology and ownership",
        defaults={
            "kind": "apology",
            "subject": "We are sorry",
            "body": "Hello {first_name},\n\nI am sorry. {owner}",
        },
    )
    policies_ensure_defaults()
    jo = factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com")
    case = factories.open_case(actor=agent, team=team, customer=jo, channel="email")
    ARTIFACTS.mkdir(exist_ok=True)
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My cases").wait_for()
    page.goto(f"{live_server.url}/cases/{case.reference}/")

    panel = page.locator("#reply-form")
    panel.get_by_label("Start from").select_option(label="Apology and ownership")
    expect(page.locator("#reply-preview")).to_contain_text("Hello Jo,")
    panel.get_by_label("Message", exact=True).fill("Hello {first_name},\n\nI am sorry: I will fix it today.")
    expect(page.locator("#reply-preview")).to_contain_text("I will fix it today")
    page.screenshot(path=str(ARTIFACTS / "message-compose.png"), full_page=True)
    panel.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Sent to Jo Bloggs by e-mail.").wait_for()
    page.screenshot(path=str(ARTIFACTS / "message-sent.png"), full_page=True)

    sent = CustomerMessage.objects.get()
    assert sent.body.startswith("Hello Jo,\n\nI am sorry: I will fix it today.\n\n") and "/c/" in sent.body
    assert sent.address == "jo@example.com"
    assert Case.objects.get().status == "responded"
    assert Clock.objects.get(case=case, kind="first_response").stopped_at is not None
    assert console_errors == []
