"""What people see of received mail: the case page, attachment downloads, the admin quarantine."""

import pytest

from cases.models import Case
from inbound import services
from inbound.models import InboundMessage
from tests import factories
from tests.inbound.mail import compose

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def mailed_case(team, settings):
    settings.INBOUND_TEAM = team.slug
    raw = compose(
        subject="Invoice wrong",
        attachments=(
            ("invoice.pdf", "application/pdf", PDF),
            ("run-me.exe", "application/x-msdownload", b"MZ"),
        ),
    )
    return services.message_receive(raw=raw, received_via="smtp").message.case


def test_the_case_page_shows_the_files_sent_and_those_refused(client, agent, mailed_case):
    client.force_login(agent)

    page = client.get(f"/cases/{mailed_case.reference}/").content.decode()

    stored = mailed_case.inbound_messages.get().attachments.get(filename="invoice.pdf")
    assert f'href="/inbound/attachments/{stored.pk}/"' in page
    assert "run-me.exe" in page and "type application/x-msdownload is not accepted" in page


def test_the_customers_reply_reads_on_the_case_timeline(client, agent, mailed_case):
    services.message_receive(
        raw=compose(subject=f"Re: [{mailed_case.reference}]", text="It should be <b>£40</b>, not £400."),
        received_via="imap",
    )
    client.force_login(agent)

    page = client.get(f"/cases/{mailed_case.reference}/").content.decode()

    assert "received an e-mail from the customer" in page
    assert "It should be &lt;b&gt;£40&lt;/b&gt;, not £400." in page


def test_an_agent_downloads_a_file_of_their_teams_case(client, agent, mailed_case):
    stored = mailed_case.inbound_messages.get().attachments.get(filename="invoice.pdf")
    client.force_login(agent)

    response = client.get(f"/inbound/attachments/{stored.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert response["Content-Security-Policy"] == "sandbox"


def test_another_teams_file_is_a_404_and_a_visitor_must_log_in(client, other_team, mailed_case):
    stored = mailed_case.inbound_messages.get().attachments.get(filename="invoice.pdf")
    url = f"/inbound/attachments/{stored.pk}/"

    assert client.get(url)["Location"].startswith("/login/")
    client.force_login(factories.UserFactory(username="omar", teams=[other_team]))
    assert client.get(url).status_code == 404


def test_a_refused_file_cannot_be_downloaded(client, agent, mailed_case):
    refused = mailed_case.inbound_messages.get().attachments.get(filename="run-me.exe")
    client.force_login(agent)

    assert client.get(f"/inbound/attachments/{refused.pk}/").status_code == 404


def test_an_admin_inspects_the_quarantine_with_its_reason_and_raw_text(admin_client, team):
    raw = b"From: jo@example.com\r\nSubject: <script>x</script>\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n"
    message = services.message_receive(raw=raw, received_via="smtp").message

    listing = admin_client.get("/admin/inbound/inboundmessage/", {"status__exact": "quarantined"})
    detail = admin_client.get(f"/admin/inbound/inboundmessage/{message.pk}/change/").content.decode()

    assert "Broken MIME structure" in listing.content.decode()
    assert "Subject: &lt;script&gt;x&lt;/script&gt;" in detail and "<script>x" not in detail


def test_an_admin_takes_a_quarantined_mail_in_again_once_the_fault_is_fixed(admin_client, team, monkeypatch):
    # Given a mail quarantined by a fault in processing
    with monkeypatch.context() as patched:
        patched.setattr(services, "_open_case", lambda mail: 1 / 0)
        message = services.message_receive(raw=compose(subject="Lost parcel"), received_via="smtp").message
    assert message.status == "quarantined"

    # When the admin releases it
    response = admin_client.post(
        "/admin/inbound/inboundmessage/",
        {"action": "reprocess", "_selected_action": [message.pk]},
        follow=True,
    )

    # Then it opened its case, and one row stands for the mail
    assert response.status_code == 200
    reprocessed = InboundMessage.objects.get()
    assert reprocessed.status == "case_opened" and reprocessed.message_id == message.message_id
    assert Case.objects.get().summary == "Lost parcel"


def test_only_quarantined_mail_can_be_taken_in_again(team):
    message = services.message_receive(raw=compose(), received_via="smtp").message

    with pytest.raises(ValueError):
        services.message_reprocess(message=message)
