"""In a real headless Chromium: two people have the same case open; one resolves it, the other's
form, sent afterwards, is refused by the form itself with what they typed still there."""

import pytest

from cases import services
from cases.models import Case
from cases.workflow import Action
from tests.e2e.browsing import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AVAS_TEXT = "Sent a replacement vegetarian box by courier, arriving tomorrow."


def test_the_second_to_resolve_sees_who_was_first_and_keeps_what_they_typed(
    live_server, page, browser, agent, lead, case
):
    ARTIFACTS.mkdir(exist_ok=True)
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "So sorry."})
    url = f"{live_server.url}/cases/{case.reference}/"
    lees_browser = browser.new_context()
    try:
        lee = lees_browser.new_page()
        # Both open the case; Ava starts writing her resolution.
        log_in(page, live_server, "ava")
        page.goto(url)
        log_in(lee, live_server, "lee")
        lee.goto(url)
        page.locator("#action-resolve summary").click()
        page.get_by_label("What was done for the customer").fill(AVAS_TEXT)

        # Lee resolves it first, from the other browser.
        lee.locator("#action-resolve summary").click()
        lee.get_by_label("What was done for the customer").fill("Lee refunded the box by card.")
        lee.get_by_role("button", name="Resolve for the customer").last.click()
        lee.get_by_text("Resolve for the customer: done.").wait_for()
    finally:
        lees_browser.close()

    # Ava sends her form from the page she opened before.
    page.get_by_role("button", name="Resolve for the customer").last.click()
    form = page.locator("#action-resolve form")
    alert = form.get_by_role("alert")
    alert.wait_for()
    page.locator("#action-resolve").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "stale-form-refused.png"), full_page=False)
    page.locator("section[aria-labelledby=customer-track]").screenshot(
        path=str(ARTIFACTS / "stale-form-refused-card.png")
    )

    assert f"Someone changed case {case.reference} since you opened it" in alert.inner_text()
    assert "not possible from 'resolved'" in alert.inner_text()
    assert form.get_by_label("What was done for the customer (not sent)").input_value() == AVAS_TEXT
    assert form.get_by_role("button").count() == 0
    # The page shows the case as it is now: Lee's resolution.
    assert (
        "Lee refunded the box by card."
        in page.locator("section[aria-labelledby=customer-track]").inner_text()
    )
    assert Case.objects.get(pk=case.pk).resolution == "Lee refunded the box by card."
