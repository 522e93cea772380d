"""Delivering webhooks: one delivery leased per attempt, every attempt logged, nothing dropped when
a receiver is down, replays refusable by the receiver."""

import datetime
import re
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cases import outbox
from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.subscriptions import webhook_subscription_create, webhook_subscription_update
from tests import factories
from tests.integrations.conftest import genuine

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture
def subscription(lead, team, receiver):
    return webhook_subscription_create(
        actor=lead, name="CRM", url=receiver.url, event_types=[], teams=[team], secret=receiver.secret
    )


def open_cases(n: int, *, agent, team) -> list:
    return [factories.open_case(actor=agent, team=team) for _ in range(n)]


@pytest.mark.django_db(transaction=True)
def test_a_sweep_leases_only_the_delivery_it_is_sending(subscription, agent, team, receiver):
    open_cases(5, agent=agent, team=team)
    leased_while_sending = []

    def look(headers):
        # Seen from another connection while the POST is in flight, as a second sweep would.
        leased_while_sending.append(WebhookDelivery.objects.filter(leased_until__isnull=False).count())
        connection.close()

    receiver.on_request = look

    assert outbox.deliver_due() == 5

    assert leased_while_sending == [1, 1, 1, 1, 1]
    assert WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 5


@pytest.mark.django_db(transaction=True)
@override_settings(WEBHOOK_TIMEOUT_SECONDS=2)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")
def test_two_sweeps_at_once_never_send_a_delivery_twice(subscription, agent, team, receiver):
    open_cases(16, agent=agent, team=team)
    receiver.delay = 0.25
    counts, errors = [], []

    def sweep():
        try:
            counts.append(outbox.deliver_due())
        except Exception as exc:  # surfaced below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert errors == [] and sum(counts) == 16
    assert len(ids) == len(set(ids)) == 16
    assert all(count > 0 for count in counts), "both sweeps should have shared the work"
    assert sum(WebhookDelivery.objects.values_list("attempts", flat=True)) == len(receiver.requests)


@pytest.mark.django_db
def test_a_delivery_held_by_a_dead_worker_is_retried_after_its_lease_only(
    subscription, agent, team, receiver, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    factories.open_case(actor=agent, team=team)
    held = outbox.claim(
        outbox.channel(webhooks.CHANNEL), now=start
    )  # a worker claims it, then dies before recording anything

    assert outbox.deliver_due() == 0
    time_machine.move_to(
        start + outbox.channel(webhooks.CHANNEL).lease() + datetime.timedelta(seconds=1), tick=False
    )
    assert outbox.deliver_due() == 1

    held.refresh_from_db()
    assert held.delivered_at is not None and held.attempts == 2  # the lost attempt is counted
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_late_answer_after_the_lease_ran_out_does_not_overwrite_the_next_attempt(
    subscription, agent, team, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    factories.open_case(actor=agent, team=team)
    slow = outbox.claim(outbox.channel(webhooks.CHANNEL), now=start)
    later = start + outbox.channel(webhooks.CHANNEL).lease() + datetime.timedelta(seconds=1)
    time_machine.move_to(later, tick=False)
    outbox.deliver_due()  # another worker takes it over and delivers

    outbox.attempt(outbox.channel(webhooks.CHANNEL), slow)  # the first worker's answer finally comes back

    slow.refresh_from_db()
    assert slow.delivered_at == later and slow.leased_until is None and slow.attempts == 2


@pytest.mark.django_db
def test_a_burst_of_failures_at_one_moment_does_not_pause_the_subscription(
    subscription, agent, team, receiver
):
    receiver.answers = [500] * 40
    open_cases(40, agent=agent, team=team)

    assert outbox.deliver_due() == 40

    subscription.refresh_from_db()
    assert subscription.active and subscription.failure_count == 40
    assert not WebhookDelivery.objects.filter(next_attempt_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_receiver_down_for_a_few_minutes_loses_nothing(subscription, agent, team, receiver, time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    cases = open_cases(20, agent=agent, team=team)
    receiver.answers = [500] * 60  # down: the first sweeps and two rounds of retries fail

    for minute in range(0, 9):
        time_machine.move_to(start + datetime.timedelta(minutes=minute, seconds=1), tick=False)
        outbox.deliver_due()

    subscription.refresh_from_db()
    assert subscription.active and subscription.failure_count == 0
    assert sorted(p["case"]["reference"] for p in receiver.processed) == sorted(c.reference for c in cases)
    assert WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 20


@pytest.mark.django_db
@override_settings(WEBHOOK_DISABLE_AFTER=3)
def test_a_paused_subscription_keeps_what_waits_and_sends_it_oldest_first_when_switched_on(
    subscription, lead, agent, team, receiver, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    receiver.answers = [500] * 6
    first = open_cases(2, agent=agent, team=team)
    outbox.deliver_due()
    time_machine.move_to(start + datetime.timedelta(minutes=40), tick=False)
    outbox.deliver_due()
    subscription.refresh_from_db()
    assert not subscription.active  # paused after failing for 40 minutes
    # While paused, more happens; nothing is sent and nothing is given up.
    later = open_cases(2, agent=agent, team=team)
    time_machine.move_to(start + datetime.timedelta(hours=5), tick=False)
    sent_before = len(receiver.requests)
    assert outbox.deliver_due() == 0
    assert len(receiver.requests) == sent_before
    assert WebhookDelivery.objects.filter(next_attempt_at__isnull=False).count() == 4

    receiver.answers = []
    webhook_subscription_update(actor=lead, subscription=subscription, changes={"active": True})
    assert outbox.deliver_due() == 4

    references = [p["case"]["reference"] for p in receiver.processed]
    assert references == [c.reference for c in first + later]
    assert WebhookDelivery.objects.filter(delivered_at__isnull=True).count() == 0
    subscription.refresh_from_db()
    assert subscription.failure_count == 0 and subscription.failing_since is None


@pytest.mark.django_db
def test_switching_off_by_hand_pauses_and_the_page_shows_what_waits(
    client, subscription, lead, agent, team, receiver
):
    webhook_subscription_update(actor=lead, subscription=subscription, changes={"active": False})
    open_cases(3, agent=agent, team=team)
    outbox.deliver_due()
    client.force_login(lead)

    listing = client.get("/integrations/webhooks/").content.decode()
    detail = client.get(f"/integrations/webhooks/{subscription.pk}/").content.decode()

    assert receiver.requests == []
    assert re.search(r"Paused</span></td>\s*<td>3</td>", listing)
    assert '<dd id="webhook-waiting">3</dd>' in detail and "oldest first" in detail


@pytest.mark.django_db
def test_each_delivery_carries_a_standard_webhooks_signature_with_a_timestamp(
    subscription, agent, team, receiver, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    case = factories.open_case(actor=agent, team=team)

    outbox.deliver_due()

    (request,) = receiver.requests
    headers = request["headers"]
    assert request["valid"]
    assert headers["webhook-id"] == f"evt_{case.events.get().pk}"
    assert headers["webhook-timestamp"] == str(int(time.time()))
    assert headers["webhook-signature"].startswith("v1,")
    # Replayed ten minutes later, the same request is refused by a receiver that checks the time.
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 10, tzinfo=datetime.UTC), tick=False)
    assert not genuine(receiver.secret, headers, request["body"])


@pytest.mark.django_db
def test_the_verification_snippet_in_the_docs_accepts_ours_and_refuses_a_tampered_body(
    subscription, agent, team, receiver
):
    snippet = re.search(r"```python\n(.*?)```", DOCS.read_text().split("## Webhook deliveries")[1], re.S)
    namespace = {}
    exec(snippet.group(1), namespace)  # noqa: S102 - our own documentation, run as a receiver would
    factories.open_case(actor=agent, team=team)
    outbox.deliver_due()
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}

    assert namespace["verify"](receiver.secret, headers, request["body"])
    assert not namespace["verify"](receiver.secret, headers, request["body"] + b" ")
    assert not namespace["verify"]("another-secret-entirely", headers, request["body"])


@pytest.mark.django_db
def test_redelivery_keeps_counting_attempts_and_restarts_the_ladder(subscription, agent, team, receiver):
    factories.open_case(actor=agent, team=team)
    outbox.deliver_due()
    delivery = WebhookDelivery.objects.select_related("subscription").get()

    webhooks.webhook_redeliver(delivery=delivery)
    outbox.deliver_due()

    delivery.refresh_from_db()
    assert delivery.attempts == 2 == len(receiver.requests) and delivery.ladder_from == 1
    assert WebhookSubscription.objects.get().active
