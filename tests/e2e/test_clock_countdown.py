"""In a real headless Chromium: a clock counts down, turns amber at its warning and red when due."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from sla.escalation import sweep
from sla.models import Target
from sla.policies import policies_ensure_defaults
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_live_clock_goes_amber_then_red_and_the_breach_lands_on_the_timeline(
    live_server, page, agent, team
):
    ARTIFACTS.mkdir(exist_ok=True)
    policies_ensure_defaults()
    Target.objects.filter(policy__name="Live: chat", kind="first_response").update(warnings=[{"before": 0.1}])
    # One-minute target opened 50 s ago: green now, amber 4 s before due, red 10 s from now.
    case = factories.open_case(
        actor=agent, team=team, channel="chat", opened_at=timezone.now() - timedelta(seconds=50)
    )

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/cases/{case.reference}/")

    first = page.locator("#clock-list li", has_text="First response")
    assert "c-ok" in first.get_attribute("class")
    assert "left" in first.locator(".clock-left").inner_text()
    page.locator("#clock-list li.c-warn", has_text="First response").wait_for(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "clock-amber.png"))
    page.locator("#clock-list li.c-bad", has_text="First response").wait_for(timeout=15_000)
    assert "overdue" in first.locator(".clock-left").inner_text()

    sweep()
    page.reload()
    timeline = page.locator("#timeline ~ ol").inner_text()
    assert "First response breached" in timeline
    page.screenshot(path=str(ARTIFACTS / "clock-red.png"), full_page=True)


def test_an_agent_promises_a_callback_and_a_bad_time_keeps_what_was_typed(live_server, page, agent, team):
    policies_ensure_defaults()
    case = factories.open_case(actor=agent, team=team, channel="email")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/cases/{case.reference}/")

    page.get_by_text("Promise the customer a time").click()
    page.get_by_label("What we promised").fill("Call back with the refund")
    page.get_by_label("By when").fill("2020-01-01T09:00")
    page.get_by_role("button", name="Save promise").click()
    page.get_by_text("The promised time must be in the future.").wait_for()
    assert page.get_by_label("What we promised").input_value() == "Call back with the refund"

    later = timezone.localtime() + timedelta(hours=2)
    page.get_by_label("By when").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save promise").click()
    promise = page.locator("#clock-list li.promise")
    promise.wait_for()
    assert "Promised: Call back with the refund" in promise.inner_text()
    assert "left" in promise.locator(".clock-left").inner_text()
    page.screenshot(path=str(ARTIFACTS / "clock-promise.png"))
