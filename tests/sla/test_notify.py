"""The outbox: written with the event, delivered after commit, retried with backoff."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.test import override_settings

from cases import outbox
from sla.escalation import sweep
from sla.models import Firing, Notification
from sla.notify import CHANNEL, HttpSmsBackend, backoff, notification_retry
from tests import factories

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db


@pytest.fixture
def breached(clock_at, agent, team):
    agent.email = "ava@example.com"
    agent.phone = "+44 7700 900001"
    agent.save()
    case = factories.open_case(actor=agent, team=team, channel="chat")
    clock_at(MONDAY_10 + timedelta(seconds=61))
    sweep()
    return case


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received, Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()


def test_each_warning_and_breach_writes_in_app_email_and_sms_rows_with_its_event(breached, agent):
    rows = Notification.objects.filter(recipient=agent)
    assert {r.channel for r in rows} == {"in_app", "email", "sms"}
    assert all(r.event_id is not None and r.event.case_id == breached.pk for r in rows)
    assert all(r.delivered_at for r in rows.filter(channel="in_app"))
    assert rows.filter(channel="email", delivered_at__isnull=True, next_attempt_at__isnull=False).exists()


def test_the_deliverer_sends_the_email_naming_case_customer_clock_and_lateness(breached, clock_at):
    delivered = outbox.deliver_due()
    assert delivered == Notification.objects.exclude(channel="in_app").count()
    overdue = [m for m in mail.outbox if "overdue" in m.subject]
    assert overdue
    body = overdue[0].body
    assert breached.reference in body and breached.customer.name in body
    assert "First response is overdue by 1 s" in body
    assert f"/cases/{breached.reference}/" in body


@override_settings(SMS_BACKEND="sla.notify.HttpSmsBackend", SMS_GATEWAY_TOKEN="s3cret")
def test_sms_goes_to_the_http_gateway_with_its_token(breached, gateway, settings):
    settings.SMS_GATEWAY_URL = gateway
    outbox.deliver_due()
    assert Gateway.received
    auth, payload = Gateway.received[0]
    assert auth == "Bearer s3cret" and payload["to"] == "+44 7700 900001"
    assert breached.reference in payload["text"]
    assert not Notification.objects.filter(channel="sms", delivered_at__isnull=True).exists()


@override_settings(SMS_BACKEND="sla.notify.HttpSmsBackend", NOTIFY_MAX_ATTEMPTS=3)
def test_a_failing_gateway_is_retried_with_backoff_then_shown_as_failed(
    breached, gateway, settings, clock_at
):
    settings.SMS_GATEWAY_URL = gateway
    Gateway.status = 503
    sms = Notification.objects.filter(channel="sms").first()
    now = MONDAY_10 + timedelta(seconds=61)
    outbox.deliver_due()
    sms.refresh_from_db()
    assert sms.attempts == 1 and sms.next_attempt_at == now + backoff(1) and "503" in sms.last_error
    for attempt in (2, 3):
        now = sms.next_attempt_at
        clock_at(now)
        outbox.deliver_due()
        sms.refresh_from_db()
        assert sms.attempts == attempt
    assert sms.failed_at is not None and sms.next_attempt_at is None and sms.delivered_at is None


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == timedelta(hours=1)


def test_a_manager_retries_a_failed_delivery_from_the_browser(client, breached, manager):
    row = Notification.objects.filter(channel="email").first()
    Notification.objects.filter(pk=row.pk).update(
        failed_at=row.created_at, next_attempt_at=None, attempts=6, last_error="SMTP down"
    )
    client.force_login(manager)
    page = client.get("/sla/deliveries/").content.decode()
    assert "SMTP down" in page
    client.post(f"/sla/deliveries/{row.pk}/retry/")
    row.refresh_from_db()
    assert row.failed_at is None and row.attempts == 0 and row.next_attempt_at is not None
    outbox.deliver_due()
    row.refresh_from_db()
    assert row.delivered_at is not None


def test_agents_cannot_retry_deliveries(client, breached, agent):
    row = Notification.objects.filter(channel="email").first()
    client.force_login(agent)
    assert client.post(f"/sla/deliveries/{row.pk}/retry/").status_code == 403
    with pytest.raises(Exception, match="managers"):
        notification_retry(notification=row, actor=agent)


def test_a_leased_row_is_not_sent_twice_by_a_second_deliverer(breached):
    row = Notification.objects.filter(channel="email").first()
    now = MONDAY_10 + timedelta(seconds=61)
    first = outbox.claim(outbox.channel(CHANNEL), now=now, pk=row.pk)
    second = outbox.claim(outbox.channel(CHANNEL), now=now, pk=row.pk)
    assert first is not None and first.attempts == 1 and second is None
    # Once the lease runs out (a worker died mid-send), the row is given back.
    assert outbox.claim(outbox.channel(CHANNEL), now=first.leased_until + timedelta(seconds=1), pk=row.pk)


def test_http_sms_refuses_non_http_urls():
    with pytest.raises(ValueError, match="http"):
        HttpSmsBackend(url="file:///etc/passwd", token="x").send(to="1", text="hi")


@pytest.mark.django_db(transaction=True)
def test_a_sweep_hands_each_groups_notices_to_the_outbox_as_that_group_commits(
    clock_at, agent, team, monkeypatch, settings
):
    settings.SLA_SWEEP_GROUP = 1
    agent.email = "ava@example.com"
    agent.save()
    for _ in range(3):
        factories.open_case(actor=agent, team=team, channel="chat")
    kicked = []
    # What the deliverer would find committed at the moment each kick goes out.
    monkeypatch.setattr(outbox, "_kick", lambda name, ids: kicked.append((name, ids, Firing.objects.count())))
    clock_at(MONDAY_10 + timedelta(minutes=10))
    report = sweep()
    emails = set(Notification.objects.filter(channel="email").values_list("pk", flat=True))
    assert report.breaches == 3 and len(emails) >= 3
    assert {pk for name, ids, _ in kicked if name == CHANNEL for pk in ids} == emails
    # The first group's mail went out while the other clocks were still to come.
    assert min(seen for *_, seen in kicked) < Firing.objects.count()
