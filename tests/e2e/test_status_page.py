"""In a real headless Chromium on a phone-sized screen: the customer opens the link from the
call-back SMS, reads the promise, answers and moves the call-back; the agent, on the case page,
sees both arrive without reloading."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import CustomerMessage
from portal.models import Callback, CallbackState
from sla.policies import policies_ensure_defaults
from sla.services import promise_make
from tests import factories

from .browsing import ARTIFACTS, SCREENSHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://[^/\s]+(/c/[^/\s]+/)")


def test_a_customer_answers_and_moves_the_call_back_from_their_phone_and_the_agent_sees_it(
    live_server, page, browser, agent, team
):
    policies_ensure_defaults()
    sam = factories.CustomerFactory(name="Sam Okafor", email="", phone="+44 7700 900123")
    case = factories.open_case(actor=agent, team=team, customer=sam, channel="phone", owner=agent)
    promise_make(
        case=case,
        actor=agent,
        what="A replacement box at your door",
        due_at=timezone.now() + timedelta(days=1),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The agent books the call-back from the case page.
    log_in(page, live_server, "ava")
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    panel = page.locator("#customer-side")
    panel.get_by_label("Free slot").select_option(index=0)
    panel.get_by_role("button", name="Book the call-back").click()
    page.get_by_text("Call-back booked; the customer has been told.").wait_for()
    first = Callback.objects.get(case=case, state=CallbackState.BOOKED)

    # The customer opens the link from the confirmation SMS, on a 375 px screen.
    sms = CustomerMessage.objects.filter(case=case, channel="sms").latest("created_at")
    path = LINK.search(sms.body).group(1)
    phone = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    customer = phone.new_page()
    customer.goto(live_server.url + path)
    customer.get_by_role("heading", name="Hello Sam").wait_for()
    assert "A replacement box at your door" in customer.locator(".p-promise").inner_text()
    assert "Ava" in customer.locator("#callback ~ p").first.inner_text()
    customer.screenshot(path=str(SCREENSHOTS / "status-page-375.png"), full_page=True)

    customer.get_by_label("Your answer").fill("The vegetarian box, please. Any time after 2 works.")
    customer.get_by_role("button", name="Send").click()
    customer.get_by_text("Thank you: your answer has reached Ava.").wait_for()
    customer.get_by_label("Move it to another time").select_option(index=2)
    customer.get_by_role("button", name="Move my call-back").click()
    customer.get_by_text("Your call-back is moved.").wait_for()
    customer.screenshot(path=str(ARTIFACTS / "status-page-moved.png"), full_page=True)

    moved = Callback.objects.get(case=case, state=CallbackState.BOOKED)
    assert moved.pk != first.pk and moved.moved_by_customer and moved.starts_at > first.starts_at

    # The agent's case page, never reloaded, shows the answer and the new time (htmx polling).
    feed = page.locator(".portal-feed")
    feed.get_by_text("The vegetarian box, please.").wait_for(timeout=10_000)
    feed.get_by_text("moved by the customer").wait_for(timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "status-page-agent-sees.png"), full_page=True)
    phone.close()
    assert errors == []
