"""In a real headless Chromium: the desk's keyboard shortcuts, and a queue that refreshes itself
but never under a half-made selection."""

import pytest

from tests import factories
from tests.e2e.browsing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_slash_searches_question_mark_lists_the_keys_and_c_opens_a_new_case(live_server, page, agent, team):
    factories.open_case(actor=agent, team=team)
    log_in(page, live_server, "ava")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type("x")
    page.keyboard.press("Escape")  # leaves the field, so the next keys are shortcuts again
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert "New case" in dialog.inner_text()
    page.get_by_role("button", name="Close").click()
    page.keyboard.press("c")
    page.wait_for_url(f"{live_server.url}/cases/new/")


def test_the_queue_refreshes_but_not_while_cases_are_ticked(live_server, page, agent, team):
    first = factories.open_case(actor=agent, team=team)
    log_in(page, live_server, "ava")
    page.goto(f"{live_server.url}/cases/queue/")
    factories.open_case(actor=agent, team=team, summary="Arrived while I watched")
    page.evaluate(
        "htmx.ajax('GET', location.href, {target: '#case-table', select: '#case-table', swap: 'outerHTML'})"
    )
    page.get_by_text("Arrived while I watched").wait_for()
    page.get_by_label(f"Pick {first.reference}").check()
    assert page.evaluate(
        "!document.querySelector('#case-table').dispatchEvent(new CustomEvent('htmx:beforeRequest', "
        "{bubbles: true, cancelable: true}))"
    ), "a ticked case holds the refresh back"
    assert page.get_by_label(f"Pick {first.reference}").is_checked()
