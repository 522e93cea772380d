"""The SMTP listener, for real: a local aiosmtpd server fed by smtplib."""

import os
import signal
import smtplib
import subprocess
import sys
from pathlib import Path

import pytest

from cases.models import Case
from inbound.models import InboundMessage
from inbound.smtp import listener_build
from tests import factories
from tests.inbound.mail import compose
from tests.inbound.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]

# The listener answers from its own threads and connections, so the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener():
    controller = listener_build(host="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def send(listener, raw: bytes, sender: str = "jo@example.com") -> dict:
    with smtplib.SMTP(listener.hostname, listener.port, timeout=30) as client:
        return client.sendmail(sender, ["care@recovery.example"], raw)


def test_mail_sent_over_smtp_opens_a_case(listener, team):
    # When a customer's mail is handed to the listener
    refused = send(listener, compose(subject="Sofa arrived torn", text="The left arm is ripped."))

    # Then it was accepted for every recipient, and a case is open by the time the answer came
    assert refused == {}
    case = Case.objects.get()
    assert case.summary == "Sofa arrived torn" and case.description == "The left arm is ripped."
    assert case.channel == "email" and case.team == team
    assert InboundMessage.objects.get().received_via == "smtp"


def test_a_reply_over_smtp_lands_on_the_same_case(listener, team):
    send(listener, compose(subject="Sofa arrived torn"))
    case = Case.objects.get()

    send(listener, compose(subject=f"Re: [{case.reference}] Sofa arrived torn", text="Photos attached."))

    assert Case.objects.count() == 1
    assert case.events.get(kind="case.customer_message").data["text"] == "Photos attached."


def test_a_retried_delivery_is_taken_once(listener, team):
    raw = compose(message_id="<retry@example.com>")

    send(listener, raw)
    send(listener, raw)

    assert Case.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_a_temporary_fault_answers_451_and_the_retry_succeeds(listener, db):
    # Given an install with no team yet: mail cannot be filed, but must not be lost
    raw = compose(message_id="<early@example.com>")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(listener, raw)
    assert refused.value.smtp_code == 451
    assert not InboundMessage.objects.exists()

    # When the sender retries after a team exists
    factories.TeamFactory(name="Front desk")
    assert send(listener, raw) == {}

    # Then the mail is in
    assert InboundMessage.objects.get(message_id="<early@example.com>").case == Case.objects.get()


def test_the_management_command_listens_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "DEBUG": "1", "RECOVERY_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "smtp_intake", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            code, _ = client.noop()
        assert code == 250
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert f"Mail intake listening on 127.0.0.1:{port}" in output and "Mail intake stopped." in output
