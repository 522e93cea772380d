"""In a real headless Chromium: a coupon within authority, a refund over the cap, the lead approves."""

from decimal import Decimal

import pytest

from remedies.demo import install_default_caps
from remedies.models import ApprovalRequest, Remedy
from tests.e2e.browsing import ARTIFACTS, log_in
from tests.remedies.conftest import kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_gives_a_coupon_then_a_refund_over_the_cap_goes_pending_and_the_lead_approves(
    live_server, page, agent, lead, team, case
):
    ARTIFACTS.mkdir(exist_ok=True)
    install_default_caps()
    team.lead = lead
    team.save()
    kind("coupon", "Coupon or voucher", amount="10")
    kind("full_refund", "Full refund")

    # The agent gives a coupon within authority, in one action
    log_in(page, live_server, "ava")
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    panel = page.locator("#remedies")
    assert "50.00 GBP" in panel.locator("#authority").inner_text()
    panel.get_by_label("Remedy").select_option(label="Coupon or voucher")
    assert panel.get_by_label("Amount").input_value() == "10.00"  # the kind's usual amount
    panel.get_by_label("Amount").fill("15.00")
    panel.get_by_label("Note to the customer").fill("A voucher for your next box.")
    panel.get_by_label("+1: goes beyond").check()
    panel.get_by_role("button", name="Give remedy").click()
    page.get_by_text("Given: Coupon or voucher 15.00 GBP.").wait_for()
    assert Remedy.objects.get().amount == Decimal("15.00")
    assert "Coupon or voucher" in page.locator(".remedy-table").inner_text()

    # A refund over the cap becomes an approval request with a running countdown
    panel.get_by_label("Remedy").select_option(label="Full refund")
    panel.get_by_label("Amount").fill("120")
    panel.get_by_role("button", name="Give remedy").click()
    page.get_by_text("went to Lee for approval").wait_for()
    countdown = page.locator(".approval .countdown")
    page.wait_for_function("document.querySelector('.approval .countdown').textContent.includes('left')")
    assert "left to decide" in countdown.inner_text()
    page.screenshot(path=str(ARTIFACTS / "remedy-pending.png"), full_page=True)
    assert Remedy.objects.count() == 1 and ApprovalRequest.objects.get().status == "pending"

    # The lead approves it from the approvals page, with a reason
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "lee")
    page.get_by_role("link", name="Approvals").click()
    page.get_by_label("Reason").fill("Third late box this month.")
    page.screenshot(path=str(ARTIFACTS / "approvals-page.png"), full_page=True)
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved: Full refund 120.00 GBP.").wait_for()
    page.goto(f"{live_server.url}/cases/{case.reference}/#remedies")
    page.screenshot(path=str(ARTIFACTS / "remedy-approved.png"), full_page=True)

    assert ApprovalRequest.objects.get().status == "approved"
    assert Remedy.objects.count() == 2
    assert "approved by Lee" in page.locator(".remedy-table").inner_text()
