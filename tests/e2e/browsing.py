"""What the browser tests share: where screenshots go, and signing in as a person."""

import os
from pathlib import Path

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Pages are photographed on every run into test-artifacts/screenshots (not tracked); to refresh the
# pictures in docs/, run the browser tests with SCREENSHOTS_DIR=docs/screenshots.
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "test-artifacts/screenshots")


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My cases").wait_for()


def settled(page) -> None:
    """The page loaded and every htmx request it started (panels loaded on `load`) answered and
    swapped in. Faster than Playwright's networkidle, which waits half a second of silence."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')", polling=50
    )
