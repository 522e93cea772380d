"""In a real headless Chromium: a mail sent over SMTP is a case an agent works, and the reply follows."""

import smtplib
from pathlib import Path

import pytest

from cases.models import Case
from inbound.smtp import listener_build
from tests.factories import PASSWORD
from tests.inbound.mail import compose
from tests.inbound.servers import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def smtp_port(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    listener = listener_build(host="127.0.0.1", port=free_port())
    listener.start()
    yield listener.port
    listener.stop()


def send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("maria@example.com", ["care@recovery.example"], raw)


def test_a_mailed_complaint_reaches_the_queue_and_the_reply_lands_on_it(live_server, page, agent, smtp_port):
    ARTIFACTS.mkdir(exist_ok=True)
    send(
        smtp_port,
        compose(
            subject="Charged twice for one order",
            sender="Maria Lopez <maria@example.com>",
            text="My card shows two payments of 54.20 for order 8812.",
            attachments=(("statement.pdf", "application/pdf", PDF),),
        ),
    )
    case = Case.objects.get()
    send(
        smtp_port,
        compose(
            subject=f"Re: [{case.reference}] Charged twice for one order",
            sender="Maria Lopez <maria@example.com>",
            text="The second payment is still there today.",
        ),
    )

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/cases/queue/?unassigned=1")
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("heading", name="Files sent by e-mail").wait_for()
    page.screenshot(path=str(ARTIFACTS / "mailed-case.png"), full_page=True)

    timeline = page.locator("#timeline ~ ol").inner_text()
    assert "received an e-mail from the customer" in timeline
    assert "The second payment is still there today." in timeline
    with page.expect_download() as download:
        page.get_by_role("link", name="statement.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF
