"""Each send writes one outbox row and one timeline event, in one transaction, delivered once."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import CaseEvent
from cases.outbox import deliver_due
from inbound import services as inbound
from messaging.models import CustomerMessage, TeamMessaging
from messaging.services import message_send
from sla.models import Clock, Notification
from sla.rules import ClockKind
from tests import factories
from tests.inbound.mail import compose

pytestmark = pytest.mark.django_db


def sent_events(case):
    return CaseEvent.objects.filter(case=case, kind="case.message.sent")


def first_response(case) -> Clock:
    return Clock.objects.get(case=case, kind=ClockKind.FIRST_RESPONSE)


def test_the_apology_goes_by_email_once_and_stops_the_first_response_clock(
    mailed, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message_send(case=mailed, actor=agent, kind="apology", subject="Sorry", body="Sorry {first_name}.")

    mailed.refresh_from_db()
    assert mailed.status == "responded" and mailed.first_response == "Sorry Jo."
    assert first_response(mailed).stopped_at is not None
    assert sent_events(mailed).count() == 1
    row = Notification.objects.get(case=mailed, address="jo@example.com")
    assert row.event == sent_events(mailed).get() and row.channel == "email"
    assert deliver_due() == 1
    assert deliver_due() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].body.startswith("Sorry Jo.\n\n")
    assert "/c/" in mail.outbox[0].body  # every message carries the status page link (portal)
    assert mail.outbox[0].subject == f"[{mailed.reference}] Sorry"


def test_a_customer_with_only_a_phone_gets_an_sms_through_the_gateway(agent, team, gateway):
    customer = factories.CustomerFactory(name="Sam Lee", email="", phone="+44 7700 900123")
    case = factories.open_case(actor=agent, team=team, customer=customer)

    message_send(case=case, actor=agent, kind="free", body="Hi {first_name}, we are on it.")

    assert Notification.objects.filter(case=case, channel="sms").count() == 1
    assert deliver_due() == 1 and deliver_due() == 0
    assert [g["to"] for g in gateway] == ["+44 7700 900123"]
    assert gateway[0]["text"].startswith(f"{case.summary}\nHi Sam, we are on it.\n\nWhere your case stands")
    assert mail.outbox == []


def test_the_expectation_message_records_the_promise_clock(mailed, agent):
    due = timezone.now() + timedelta(days=1)

    message_send(
        case=mailed, actor=agent, kind="expectation", body="By {promised_time}.", what="Refund", due_at=due
    )

    promise = Clock.objects.get(case=mailed, kind=ClockKind.PROMISE, stopped_at__isnull=True)
    assert promise.label == "Refund" and abs((promise.due_at - due).total_seconds()) < 1
    assert "as soon as we can" not in CustomerMessage.objects.get().body
    assert sent_events(mailed).count() == 1 and Notification.objects.filter(case=mailed).count() == 1


def test_an_update_message_restarts_the_periodic_update_clock(mailed, agent):
    message_send(case=mailed, actor=agent, kind="apology", body="Sorry.")
    before = set(
        Clock.objects.filter(case=mailed, kind=ClockKind.PERIODIC_UPDATE).values_list("pk", flat=True)
    )

    message_send(case=mailed, actor=agent, kind="update", body="Still on it.")

    assert CaseEvent.objects.filter(case=mailed, kind="sla.customer.updated").count() == 1
    after = Clock.objects.filter(case=mailed, kind=ClockKind.PERIODIC_UPDATE, stopped_at__isnull=True)
    assert after.count() == 1 and after.get().pk not in before


def test_an_empty_body_or_no_channel_is_refused_and_nothing_is_written(agent, team):
    nobody = factories.CustomerFactory(name="Nobody", email="", phone="")
    case = factories.open_case(actor=agent, team=team, customer=nobody)

    with pytest.raises(ValidationError) as error:
        message_send(case=case, actor=agent, kind="apology", body="  ")

    assert set(error.value.message_dict) == {"body", "channel"}
    case.refresh_from_db()
    assert case.status == "new" and first_response(case).stopped_at is None
    assert not sent_events(case).exists() and not Notification.objects.filter(case=case).exists()


def test_a_reply_to_our_message_threads_back_to_the_case(agent, team, settings):
    settings.DEFAULT_FROM_EMAIL = "Care <care@recovery.example>"
    case = inbound.message_receive(
        raw=compose(message_id="<first@example.com>"), received_via="smtp"
    ).message.case
    message_send(case=case, actor=agent, kind="apology", body="Sorry.")
    deliver_due()

    ours = message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    assert ours["Message-ID"].startswith(f"<{case.reference}.")
    assert ours["In-Reply-To"] == "<first@example.com>" and ours["Auto-Submitted"] is None
    assert ours["Subject"].startswith(f"Re: [{case.reference}]")
    reply = compose(subject="thanks", text="OK.", headers={"In-Reply-To": ours["Message-ID"]})
    receipt = inbound.message_receive(raw=reply, received_via="imap")
    assert receipt.status == "threaded" and receipt.message.case == case


def test_the_automatic_acknowledgement_tells_the_due_time_and_leaves_the_clock_running(agent, team, jo):
    TeamMessaging.objects.create(team=team, auto_acknowledge=True)

    case = factories.open_case(actor=agent, team=team, customer=jo, channel="email")
    deliver_due()

    assert case.status == "new" and first_response(case).stopped_at is None
    assert len(mail.outbox) == 1 and sent_events(case).count() == 1
    ack = mail.outbox[0]
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    assert case.reference in ack.body and "will answer you by" in ack.body
    assert "as soon as we can" not in ack.body


def test_no_acknowledgement_without_the_team_setting_or_an_address(agent, team, other_team):
    TeamMessaging.objects.create(team=team, auto_acknowledge=True)
    phone_only = factories.CustomerFactory(email="", phone="+44 1")
    mailed_elsewhere = factories.CustomerFactory(email="z@example.com")

    factories.open_case(actor=agent, team=team, customer=phone_only)
    factories.open_case(actor=None, team=other_team, customer=mailed_elsewhere)

    assert not CustomerMessage.objects.exists() and not Notification.objects.exists()
