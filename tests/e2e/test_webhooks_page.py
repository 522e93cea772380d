"""In a real headless Chromium: a team lead subscribes a receiver to webhooks."""

from pathlib import Path

import pytest

from integrations.models import WebhookSubscription
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_lead_subscribes_a_url_and_copies_the_secret(live_server, page, lead, team):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("lee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My cases").wait_for()

    page.goto(f"{live_server.url}/integrations/webhooks/")
    page.get_by_label("Name").fill("CRM")
    page.get_by_label("URL").fill("crm.example.com/hooks")
    page.get_by_label("case.closed").check()
    page.get_by_role("button", name="Subscribe").click()

    page.get_by_role("heading", name="Secret").wait_for()
    page.screenshot(path=str(ARTIFACTS / "webhook-created.png"), full_page=True)
    sub = WebhookSubscription.objects.get()
    assert page.locator("#webhook-secret").inner_text() == sub.secret
    assert sub.url == "https://crm.example.com/hooks" and sub.event_types == ["case.closed"]


def test_the_api_docs_render_offline_from_the_schema(live_server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("/api/v1/cases/{reference}/transition/").first.wait_for()

    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    assert page.get_by_role("heading", name="Recovery API").count() == 1
    assert all(url.startswith(live_server.url) for url in requested)
