"""In a real headless Chromium: a manager sets an agent's cap and sees the change in its history."""

from decimal import Decimal
from pathlib import Path

import pytest

from remedies.models import AuthorityCap
from tests.e2e.browsing import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_an_agents_cap_and_sees_the_change_in_its_history(live_server, page, manager, agent):
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, live_server, "max")
    page.goto(f"{live_server.url}/remedies/caps/")

    # A mistake is shown beside its field, with what was typed still there
    form = page.locator("form.card")
    form.get_by_label("Person").select_option(label="Ava")
    form.get_by_label("Most per remedy").fill("-5")
    form.get_by_role("button", name="Add cap").click()
    page.get_by_text("A limit cannot be negative").wait_for()
    assert page.locator("form.card").get_by_label("Most per remedy").input_value() == "-5"

    page.locator("form.card").get_by_label("Most per remedy").fill("40")
    page.locator("form.card").get_by_role("button", name="Add cap").click()
    page.get_by_text("Cap saved: Ava · every kind.").wait_for()

    page.get_by_label("Most per remedy").fill("75")
    page.get_by_role("button", name="Save cap").click()
    page.get_by_text("Cap saved").wait_for()
    history = page.locator("#history")
    row = history.locator("tr", has_text="Most per remedy").first
    assert "40.00" in row.inner_text() and "75.00" in row.inner_text()
    assert "Max" in history.locator("tbody tr").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "cap-history.png"), full_page=True)
    assert AuthorityCap.objects.get(user=agent).max_per_remedy == Decimal("75.00")

    with page.expect_download() as download:
        history.get_by_role("link", name="Export CSV").click()
    assert "75.00" in Path(download.value.path()).read_text()
