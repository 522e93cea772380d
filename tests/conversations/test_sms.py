"""Two-way SMS: a customer's text lands on their case, STOP is honoured, receipts follow delivery."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.outbox import deliver_due
from cases.services import case_transition
from conversations.models import InboundSms, SignedDelivery, SmsOptOut
from conversations.signatures import twilio_signature
from messaging.services import message_send
from sla.models import Notification
from tests import factories

from .conftest import TWILIO_TOKEN, hmac_post, twilio_post

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def jo(db):
    return factories.CustomerFactory(name="Jo Bloggs", email="", phone="07700 900123")


@pytest.fixture
def waiting(agent, team, jo):
    case = factories.open_case(actor=agent, team=team, customer=jo, channel="phone")
    case = case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry, Jo."})
    return case_transition(case=case, action="wait_on_customer", actor=agent, data={"reason": "photo"})


def _texts(case):
    return CaseEvent.objects.filter(case=case, kind="sms.received")


def test_a_twilio_text_threads_onto_the_customers_open_case_and_ends_the_wait(gateways, client, waiting):
    assert waiting.status == "waiting_on_customer"
    params = {"MessageSid": "SM1", "From": "+447700900123", "To": "+441234", "Body": "Here is the photo"}
    response = twilio_post(client, params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    waiting.refresh_from_db()
    assert waiting.status == "responded"
    [event] = _texts(waiting)
    assert event.data["text"] == "Here is the photo" and event.data["from"] == "+447700900123"


def test_the_same_message_sid_retried_makes_one_timeline_entry(gateways, client, waiting):
    params = {"MessageSid": "SM2", "From": "+44 7700 900123", "Body": "Hello?"}
    assert twilio_post(client, params).status_code == 200
    assert twilio_post(client, params).status_code == 200
    assert _texts(waiting).count() == 1 and InboundSms.objects.count() == 1


def test_a_text_from_an_unknown_number_opens_a_case_on_a_live_clock(gateways, client, team):
    response = hmac_post(
        client, {"type": "message", "id": "g-1", "from": "07700 900999", "text": "Parcel never came"}
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["case"])
    assert (
        case.customer.phone == "+447700900999"
        and case.channel == "chat"
        and case.description == "Parcel never came"
    )
    clock = case.clocks.get(kind="first_response")
    assert (clock.due_at - case.opened_at) == datetime.timedelta(minutes=1)
    # The next text from the same number lands on that case.
    again = hmac_post(client, {"type": "message", "id": "g-2", "from": "+447700900999", "text": "Any news?"})
    assert again.status_code == 201 and again.json() == {
        "id": "g-2",
        "outcome": "threaded",
        "case": case.reference,
    }


def test_an_unsigned_or_badly_signed_twilio_request_is_refused_and_writes_nothing(gateways, client, waiting):
    params = {"MessageSid": "SM3", "From": "+447700900123", "Body": "hi"}
    assert twilio_post(client, params, signature="").status_code == 401
    assert twilio_post(client, params, token="not-the-token").status_code == 401
    url = "http://testserver/api/v1/intake/sms/twilio/"
    good = twilio_signature(url=url, params={k: [v] for k, v in params.items()}, token=TWILIO_TOKEN)
    tampered = twilio_post(client, params | {"Body": "changed"}, signature=good)
    assert tampered.status_code == 401
    assert InboundSms.objects.count() == 0 and not _texts(waiting).exists()


def test_a_replayed_hmac_delivery_answers_409_and_a_stale_one_401(gateways, client, waiting):
    payload = {"type": "message", "id": "g-3", "from": "+447700900123", "text": "hello"}
    assert hmac_post(client, payload, delivery="d-1").status_code == 201
    replay = hmac_post(client, payload | {"id": "g-4"}, delivery="d-1")
    assert replay.status_code == 409
    stale = hmac_post(client, payload | {"id": "g-5"}, now=timezone.now() - datetime.timedelta(minutes=6))
    assert stale.status_code == 401
    unsigned = client.post("/api/v1/intake/sms/hmac/", payload, content_type="application/json")
    assert unsigned.status_code == 401
    assert InboundSms.objects.count() == 1 and SignedDelivery.objects.count() == 1


def test_a_malformed_payload_answers_400_with_field_errors_and_leaves_the_delivery_id_usable(
    gateways, client
):
    response = hmac_post(client, {"type": "message", "id": "", "from": "abc", "text": 5}, delivery="d-9")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"id", "text"}
    bad_number = hmac_post(
        client, {"type": "message", "id": "g-6", "from": "abc", "text": "x"}, delivery="d-9"
    )
    assert bad_number.status_code == 400 and "from" in bad_number.json()["errors"]
    assert InboundSms.objects.count() == 0 and Case.objects.count() == 0


def test_an_unknown_gateway_is_404(client, db):
    assert client.post("/api/v1/intake/sms/nobody/", {}).status_code == 404


def test_the_environment_can_hold_the_gateway_secret(client, settings, waiting):
    settings.SMS_WEBHOOK_TWILIO_TOKEN = "from-env"
    params = {"MessageSid": "SM7", "From": "+447700900123", "Body": "hi"}
    assert twilio_post(client, params, token="from-env").status_code == 200
    assert _texts(waiting).count() == 1


def test_stop_is_honoured_for_every_later_sms_and_start_lifts_it(
    gateways, client, waiting, agent, sms_gateway
):
    assert (
        twilio_post(client, {"MessageSid": "SM8", "From": "+447700900123", "Body": " stop "}).status_code
        == 200
    )
    assert SmsOptOut.objects.get(phone="+447700900123").opted_out
    assert CaseEvent.objects.filter(case=waiting, kind="sms.opted_out").exists()
    assert not _texts(waiting).exists()  # a keyword is no reply: the wait goes on
    waiting.refresh_from_db()
    message_send(case=waiting, actor=agent, kind="update", body="We are on it.", channel="sms")
    deliver_due()
    row = Notification.objects.get(case=waiting, channel="sms")
    assert sms_gateway == [] and row.failed_at is not None and row.delivered_at is None
    assert row.last_error.startswith("Refused: +447700900123 opted out by texting STOP") and row.attempts == 1
    twilio_post(client, {"MessageSid": "SM9", "From": "+447700900123", "Body": "START"})
    message_send(case=waiting, actor=agent, kind="update", body="Still on it.", channel="sms")
    deliver_due()
    assert len(sms_gateway) == 1 and sms_gateway[0]["to"] == "07700 900123"


def test_a_stop_synonym_counts(gateways, client, waiting):
    hmac_post(client, {"type": "message", "id": "g-10", "from": "+447700900123", "text": "Unsubscribe."})
    assert SmsOptOut.objects.get(phone="+447700900123").keyword == "UNSUBSCRIBE"


def test_delivery_receipts_update_the_messages_state_once(gateways, client, waiting, agent, sms_gateway):
    message_send(case=waiting, actor=agent, kind="update", body="On its way.", channel="sms")
    deliver_due()
    row = Notification.objects.get(case=waiting, channel="sms")
    assert row.gateway_id == "SM" + "1".zfill(32)
    receipt = {"MessageSid": row.gateway_id, "MessageStatus": "delivered", "To": "+447700900123"}
    assert twilio_post(client, receipt).status_code == 200
    row.refresh_from_db()
    assert row.gateway_state == "delivered"
    late = hmac_post(client, {"type": "receipt", "id": row.gateway_id, "status": "sent"})
    assert late.status_code == 200 and late.json()["changed"] is False
    row.refresh_from_db()
    assert row.gateway_state == "delivered"
    read = hmac_post(client, {"type": "receipt", "id": row.gateway_id, "status": "read"})
    assert read.json()["changed"] is True


def test_an_undelivered_receipt_marks_the_message_failed_and_tells_the_case(
    gateways, client, waiting, agent, sms_gateway
):
    message_send(case=waiting, actor=agent, kind="update", body="On its way.", channel="sms")
    deliver_due()
    row = Notification.objects.get(case=waiting, channel="sms")
    receipt = {"MessageSid": row.gateway_id, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    twilio_post(client, receipt)
    twilio_post(client, receipt)
    row.refresh_from_db()
    assert row.gateway_state == "undelivered" and row.failed_at is not None and "30003" in row.last_error
    assert CaseEvent.objects.filter(case=waiting, kind="sms.undelivered").count() == 1


def test_a_receipt_with_an_unknown_state_is_400(gateways, client):
    response = hmac_post(client, {"type": "receipt", "id": "x", "status": "teleported"})
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_the_timestamp_window_follows_the_injected_clock(gateways, client, team):
    with time_machine.travel(NOW, tick=False):
        ok = hmac_post(
            client, {"type": "message", "id": "g-11", "from": "+447700900555", "text": "hi"}, now=NOW
        )
        assert ok.status_code == 201
    with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
        late = hmac_post(
            client, {"type": "message", "id": "g-12", "from": "+447700900555", "text": "hi"}, now=NOW
        )
        assert late.status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_retries_of_one_text_at_the_same_moment_make_one_timeline_entry(team, agent, jo):
    import threading

    from django.db import connection

    from conversations.services import SmsIn, sms_receive
    from sla.policies import policies_ensure_defaults

    policies_ensure_defaults()
    case = factories.open_case(actor=agent, team=team, customer=jo, channel="phone")
    barrier, results = threading.Barrier(2), []

    def deliver():
        try:
            barrier.wait()
            message = SmsIn(sid="SM-race", from_phone="+447700900123", to_phone="", body="Are you there?")
            results.append(sms_receive(gateway="twilio", message=message).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert _texts(case).count() == 1 and InboundSms.objects.count() == 1
