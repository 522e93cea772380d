"""IMAP polling against a real local IMAP server (dovecot)."""

import imaplib
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cases.models import Case
from inbound import tasks
from inbound.imap import mailbox_poll
from inbound.models import InboundMessage
from tests import factories
from tests.inbound.mail import compose

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def deliver(server, raw: bytes, flags: str = "") -> None:
    """Put a mail into the intake mailbox the way a mail server would."""
    client = server.connect()
    client.login(server.user, server.password)
    status, _ = client.append("INBOX", flags or None, imaplib.Time2Internaldate(time.time()), raw)
    assert status == "OK"
    client.logout()


def unseen(server) -> list[bytes]:
    client = server.connect()
    client.login(server.user, server.password)
    client.select("INBOX", readonly=True)
    _, found = client.uid("SEARCH", None, "UNSEEN")
    client.logout()
    return found[0].split()


def poll(server):
    return mailbox_poll(
        host=server.host, port=server.port, user=server.user, password=server.password, use_ssl=False
    )


def test_polling_opens_a_case_per_unseen_mail_and_marks_them_seen(imap_server, team):
    # Given two complaints waiting in the mailbox
    deliver(imap_server, compose(subject="Oven door broken"))
    deliver(imap_server, compose(subject="Charged twice", sender="Ann <ann@example.com>"))

    # When the mailbox is polled
    result = poll(imap_server)

    # Then each opened a case, and the mailbox shows them as read
    assert result.outcomes == {"case_opened": 2} and result.left_unseen == 0
    assert sorted(Case.objects.values_list("summary", flat=True)) == ["Charged twice", "Oven door broken"]
    assert set(InboundMessage.objects.values_list("received_via", flat=True)) == {"imap"}
    assert unseen(imap_server) == []


def test_mail_already_read_in_the_mailbox_is_left_alone(imap_server, team):
    deliver(imap_server, compose(subject="Read by a person already"), flags="(\\Seen)")

    result = poll(imap_server)

    assert result.taken == 0 and not Case.objects.exists()


def test_a_reply_in_the_mailbox_lands_on_its_case(imap_server, team):
    deliver(imap_server, compose(subject="Oven door broken", message_id="<oven@example.com>"))
    poll(imap_server)
    case = Case.objects.get()

    deliver(
        imap_server, compose(subject="Re: Oven door broken", headers={"In-Reply-To": "<oven@example.com>"})
    )
    result = poll(imap_server)

    assert result.outcomes == {"threaded": 1} and Case.objects.count() == 1
    assert case.events.filter(kind="case.customer_message").count() == 1


def test_a_mail_that_cannot_be_taken_in_yet_stays_unseen_for_the_next_poll(imap_server, db):
    # Given a mail arriving before any team exists: intake cannot file it yet
    deliver(imap_server, compose(subject="Too early"))

    first = poll(imap_server)

    assert first.left_unseen == 1 and first.taken == 0
    assert len(unseen(imap_server)) == 1 and not InboundMessage.objects.exists()

    # When a team exists and the next poll runs, the same mail is taken in
    factories.TeamFactory(name="Front desk")
    second = poll(imap_server)

    assert second.outcomes == {"case_opened": 1} and unseen(imap_server) == []


def test_junk_in_the_mailbox_is_quarantined_and_marked_seen_so_it_is_not_fetched_forever(imap_server, team):
    deliver(imap_server, b"From: jo@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n")

    result = poll(imap_server)

    assert result.outcomes == {"quarantined": 1} and unseen(imap_server) == []


def test_the_task_polls_the_mailbox_named_in_settings(imap_server, team, settings):
    settings.IMAP_HOST = imap_server.host
    settings.IMAP_PORT = imap_server.port
    settings.IMAP_USER = imap_server.user
    settings.IMAP_PASSWORD = imap_server.password
    settings.IMAP_SSL = False
    deliver(imap_server, compose(subject="Via the task"))

    tasks.poll_imap.apply()

    assert Case.objects.get().summary == "Via the task"


def test_the_task_does_nothing_without_a_mailbox(settings, team):
    settings.IMAP_HOST = ""

    tasks.poll_imap.apply()

    assert not InboundMessage.objects.exists()


def beat_schedule(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IMAP_")}
    code = "from django.conf import settings; print(sorted(settings.CELERY_BEAT_SCHEDULE))"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "recovery.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def test_polling_over_tls_checks_the_servers_certificate(imap_tls_server, team, monkeypatch):
    # Given a mailbox reachable only over TLS, with a certificate we were told to trust
    deliver(imap_tls_server, compose(subject="Sent over TLS"))
    monkeypatch.setenv("SSL_CERT_FILE", imap_tls_server.cafile)

    result = mailbox_poll(
        host=imap_tls_server.host,
        port=imap_tls_server.port,
        user=imap_tls_server.user,
        password=imap_tls_server.password,
        use_ssl=True,
    )

    assert result.outcomes == {"case_opened": 1} and unseen(imap_tls_server) == []


def test_polling_refuses_a_server_whose_certificate_it_cannot_verify(imap_tls_server, team, monkeypatch):
    deliver(imap_tls_server, compose(subject="Sent over TLS"))
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)

    with pytest.raises(ssl.SSLCertVerificationError):
        mailbox_poll(
            host=imap_tls_server.host,
            port=imap_tls_server.port,
            user=imap_tls_server.user,
            password=imap_tls_server.password,
            use_ssl=True,
        )

    assert not InboundMessage.objects.exists() and len(unseen(imap_tls_server)) == 1


def test_beat_polls_imap_only_when_a_mailbox_is_configured():
    assert "inbound-poll-imap" not in beat_schedule()
    assert "inbound-poll-imap" in beat_schedule(IMAP_HOST="imap.example.com")
