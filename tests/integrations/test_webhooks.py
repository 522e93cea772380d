"""Webhooks: written with the event, signed, retried with backoff, paused after failing for a while."""

import datetime
import json
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from cases import outbox, services
from cases.models import CaseEvent
from integrations import webhooks
from integrations.models import WebhookDelivery
from integrations.subscriptions import webhook_subscription_create
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(lead, team, receiver):
    return webhook_subscription_create(
        actor=lead, name="CRM", url=receiver.url, event_types=[], teams=[team], secret=receiver.secret
    )


def test_a_matching_event_writes_a_delivery_with_it(subscription, agent, team, other_team):
    case = factories.open_case(actor=agent, team=team)
    omar = factories.UserFactory(username="omar", teams=[other_team])
    factories.open_case(actor=omar, team=other_team)

    delivery = WebhookDelivery.objects.get()
    assert delivery.event == case.events.get(kind="case.opened")
    assert delivery.event_type == "case.created" and delivery.subscription == subscription
    assert delivery.payload["case"]["reference"] == case.reference
    assert delivery.next_attempt_at is not None and delivery.attempts == 0


def test_only_the_chosen_event_types_are_sent(lead, team, agent, receiver):
    webhook_subscription_create(actor=lead, name="Closures", url=receiver.url, event_types=["case.closed"])
    case = factories.open_case(actor=agent, team=team)

    services.case_add_note(case=case, actor=agent, text="Called back")

    assert not WebhookDelivery.objects.exists()


def test_the_delivery_is_kicked_after_commit(subscription, agent, team, django_capture_on_commit_callbacks):
    with (
        mock.patch("cases.tasks.outbox_deliver.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        factories.open_case(actor=agent, team=team)

    delay.assert_called_once_with("webhook", WebhookDelivery.objects.get().pk)


def test_a_broker_outage_loses_nothing(subscription, agent, team, django_capture_on_commit_callbacks):
    with (
        mock.patch("cases.tasks.outbox_deliver.delay", side_effect=ConnectionError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        factories.open_case(actor=agent, team=team)

    assert WebhookDelivery.objects.get().next_attempt_at is not None


def test_each_delivery_is_signed_and_carries_the_event_id(subscription, agent, team, receiver):
    case = factories.open_case(actor=agent, team=team)

    assert outbox.deliver_due() == 1

    (request,) = receiver.requests
    assert request["valid"]
    body = json.loads(request["body"])
    headers = request["headers"]
    assert headers["X-Recovery-Event"] == body["type"] == "case.created"
    assert headers["webhook-id"] == body["id"] == f"evt_{case.events.get().pk}"
    assert body["case"]["reference"] == case.reference and body["created_at"]
    delivery = WebhookDelivery.objects.get()
    assert (
        delivery.delivered_at is not None and delivery.last_status == 200 and delivery.next_attempt_at is None
    )


def test_a_failed_delivery_is_retried_with_backoff_until_it_succeeds(
    subscription, agent, team, receiver, time_machine
):
    receiver.answers = [500, 503]
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    factories.open_case(actor=agent, team=team)

    outbox.deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status == 500
    assert delivery.next_attempt_at == start + datetime.timedelta(seconds=30)
    assert outbox.deliver_due() == 0  # not due yet

    time_machine.move_to(start + datetime.timedelta(seconds=31), tick=False)
    outbox.deliver_due()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + datetime.timedelta(seconds=31 + 60)

    time_machine.move_to(start + datetime.timedelta(seconds=92), tick=False)
    outbox.deliver_due()
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 3
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [delivery.public_event_id] * 3
    assert len(receiver.processed) == 1
    subscription.refresh_from_db()
    assert subscription.failure_count == 0


def test_a_single_delivery_is_claimed_once(subscription, agent, team, receiver):
    factories.open_case(actor=agent, team=team)
    delivery = WebhookDelivery.objects.get()

    webhooks.webhook_deliver(delivery_id=delivery.pk)
    again = webhooks.webhook_deliver(delivery_id=delivery.pk)

    assert again is None and len(receiver.requests) == 1


@override_settings(WEBHOOK_DISABLE_AFTER=2)
def test_failures_in_a_row_for_half_an_hour_pause_the_subscription_and_say_so(
    subscription, agent, team, receiver, time_machine
):
    factories.UserFactory(username="ada", role="admin", email="ada@example.com")
    receiver.answers = [500] * 10
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    case = factories.open_case(actor=agent, team=team)
    services.case_add_note(case=case, actor=agent, text="Still waiting")

    outbox.deliver_due()  # two failures at one instant: a burst, not an outage
    subscription.refresh_from_db()
    assert subscription.active and subscription.failure_count == 2

    time_machine.move_to(start + datetime.timedelta(minutes=31), tick=False)
    outbox.deliver_due()

    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_at is not None
    assert "failed attempts in a row over 31 minutes" in subscription.disabled_reason
    event = CaseEvent.objects.get(kind="integration.webhook.disabled")
    assert event.case == case and event.data["subscription"] == subscription.pk


@override_settings(WEBHOOK_DISABLE_AFTER=1)
def test_admins_are_told_when_a_subscription_is_paused(
    subscription, agent, team, receiver, django_capture_on_commit_callbacks, time_machine
):
    factories.UserFactory(username="ada", role="admin", email="ada@example.com")
    receiver.answers = [500, 500]
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    factories.open_case(actor=agent, team=team)
    outbox.deliver_due()
    time_machine.move_to(start + datetime.timedelta(minutes=45), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver_due()

    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "CRM" in mail.outbox[0].subject and "oldest first" in mail.outbox[0].body


def test_an_unreachable_receiver_is_a_failed_attempt_not_a_crash(lead, team, agent):
    webhook_subscription_create(actor=lead, name="Gone", url="http://127.0.0.1:9/", event_types=[])
    factories.open_case(actor=agent, team=team)

    outbox.deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status is None and delivery.last_error


def test_every_step_of_a_walk_is_announced(subscription, agent, team):
    case = factories.open_case(actor=agent, team=team)
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry"})
    services.case_update(case=case, actor=agent, changes={"severity": "low"})

    assert list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True)) == [
        "case.created",
        "case.transitioned",
        "case.updated",
    ]


def test_the_event_names_follow_the_public_list():
    assert webhooks.event_type_for("case.opened") == "case.created"
    assert webhooks.event_type_for("case.closed") == "case.closed"
    assert webhooks.event_type_for("case.clock.breached") == "clock.breached"
    assert webhooks.event_type_for("approval.decided") == "approval.decided"
    assert webhooks.event_type_for("integration.webhook.disabled") is None


class TestTheApi:
    def test_it_creates_a_subscription_showing_the_secret_once(self, api, receiver, team):
        created = api.post(
            "/api/v1/webhooks/",
            {"name": "CRM", "url": receiver.url, "event_types": ["case.created"]},
            format="json",
        )
        listed = api.get("/api/v1/webhooks/").json()["results"]

        assert created.status_code == 201, created.json()
        assert len(created.json()["secret"]) >= 16 and created.json()["teams"] == [team.pk]
        assert "secret" not in listed[0]

    def test_it_refuses_another_teams_events_and_unknown_types(self, api, receiver, other_team):
        spy = api.post(
            "/api/v1/webhooks/", {"name": "Spy", "url": receiver.url, "teams": [other_team.pk]}, format="json"
        )
        unknown = api.post(
            "/api/v1/webhooks/",
            {"name": "X", "url": receiver.url, "event_types": ["case.exploded"]},
            format="json",
        )

        assert spy.status_code == 400
        assert spy.json()["errors"] == {
            "teams": ["You cannot subscribe to these teams' events: Online orders."]
        }
        assert unknown.status_code == 400
        assert unknown.json()["errors"] == {"event_types.0": ['"case.exploded" is not a valid choice.']}

    def test_the_log_shows_deliveries_and_one_can_be_sent_again(self, api, receiver, agent, team):
        sub_id = api.post(
            "/api/v1/webhooks/",
            {"name": "CRM", "url": receiver.url, "secret": receiver.secret},
            format="json",
        ).json()["id"]
        factories.open_case(actor=agent, team=team)
        outbox.deliver_due()
        log = api.get(f"/api/v1/webhooks/{sub_id}/deliveries/").json()["results"]
        assert [d["last_status"] for d in log] == [200]

        response = api.post(f"/api/v1/webhooks/{sub_id}/deliveries/{log[0]['id']}/redeliver/")
        outbox.deliver_due()

        assert response.status_code == 202
        assert len(receiver.requests) == 2
        assert receiver.requests[0]["headers"]["webhook-id"] == receiver.requests[1]["headers"]["webhook-id"]

    def test_switching_a_subscription_back_on_clears_its_failures(self, api, receiver):
        sub_id = api.post(
            "/api/v1/webhooks/",
            {"name": "CRM", "url": receiver.url, "secret": receiver.secret},
            format="json",
        ).json()["id"]
        api.patch(f"/api/v1/webhooks/{sub_id}/", {"active": False}, format="json")

        response = api.patch(f"/api/v1/webhooks/{sub_id}/", {"active": True}, format="json")

        assert response.json()["active"] is True and response.json()["disabled_at"] is None

    def test_a_read_only_token_cannot_subscribe(self, read_token, receiver):
        response = client_for(read_token[1]).post(
            "/api/v1/webhooks/", {"name": "CRM", "url": receiver.url}, format="json"
        )

        assert response.status_code == 403
