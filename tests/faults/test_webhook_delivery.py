"""Webhooks against real Celery workers and a receiver on the loopback: a slow receiver and two
sweeping workers, and a worker killed in the middle of a POST. The receiver counts what it got,
the delivery log counts what was attempted, and the two must agree."""

import threading
import time
from collections import Counter

import pytest
from django.db.models import Sum

from integrations.models import WebhookDelivery
from integrations.subscriptions import webhook_subscription_create, webhook_subscription_update
from tests import factories
from tests.integrations.conftest import Receiver, serving

from .conftest import report, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

DELIVERIES = 40
ANSWER_SECONDS = 1.5
# The worker's request timeout: each delivery is leased for one attempt sized to it (2 x 2 + 5 s),
# far less than the time the backlog takes to drain one by one (40 x 1.5 s).
WORKER_ENV = {"WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "WEBHOOK_TIMEOUT_SECONDS": 2}


@pytest.fixture
def receiver():
    """The local receiver of the webhook tests: checks signatures, dedupes on webhook-id."""
    with serving(Receiver(secret="faults-receiver-secret")) as state:
        yield state


@pytest.fixture
def backlog(settings, receiver, lead, agent, team):
    """A subscription that waited while paused: 40 deliveries, switched back on, none sent yet."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    sub = webhook_subscription_create(
        actor=lead, name="CRM", url=receiver.url, event_types=["case.created"], secret=receiver.secret
    )
    sub = webhook_subscription_update(actor=lead, subscription=sub, changes={"active": False})
    cases = [factories.open_case(actor=agent, team=team) for _ in range(DELIVERIES)]
    webhook_subscription_update(actor=lead, subscription=sub, changes={"active": True})
    assert WebhookDelivery.objects.filter(delivered_at__isnull=True).count() == DELIVERIES
    receiver.delay = ANSWER_SECONDS
    return cases


def counts(receiver) -> dict:
    received = Counter(r["headers"]["webhook-id"] for r in receiver.requests)
    logged = WebhookDelivery.objects.aggregate(n=Sum("attempts"))["n"] or 0
    return {
        "posts_received": sum(received.values()),
        "events_received": len(received),
        "received_twice": sum(1 for n in received.values() if n > 1),
        "attempts_logged": logged,
        "delivered": WebhookDelivery.objects.filter(delivered_at__isnull=False).count(),
    }


def test_a_slow_receiver_and_two_sweeping_workers_get_each_delivery_once(
    backlog,
    receiver,
    redis_server,
    start_worker,
):
    # Given a receiver that takes 1.5 s to answer and two workers, each with its own beat ticking
    # the sweep every 10 s, so several sweeps run at once and each outlives a lease many times.
    began = time.monotonic()
    workers = [
        start_worker(name, redis_url=redis_server.url, **WORKER_ENV) for name in ("hooks-a", "hooks-b")
    ]

    # When the backlog drains,
    drained = wait_for(
        lambda: WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == DELIVERIES, 180, 0.25
    )
    assert drained, "\n".join(w.log() for w in workers)
    seconds = round(time.monotonic() - began, 1)
    time.sleep(12)  # one more tick of each beat: a delivery re-claimed late would show up now

    # Then every event was POSTed exactly once and the log counts exactly those attempts.
    figures = counts(receiver)
    report("webhooks slow receiver, two workers", deliveries=DELIVERIES, seconds=seconds, **figures)
    assert figures == {
        "posts_received": DELIVERIES,
        "events_received": DELIVERIES,
        "received_twice": 0,
        "attempts_logged": DELIVERIES,
        "delivered": DELIVERIES,
    }
    assert all(r["valid"] for r in receiver.requests)


def test_a_worker_killed_mid_delivery_loses_nothing_and_the_log_counts_the_lost_attempt(
    backlog,
    receiver,
    redis_server,
    start_worker,
):
    # Given one worker sending the backlog to the slow receiver,
    in_flight = threading.Event()
    receiver.on_request = lambda headers: len(receiver.requests) >= 3 and in_flight.set()
    first = start_worker("hooks-killed", redis_url=redis_server.url, **WORKER_ENV)

    # when it is killed (SIGKILL, the whole group) while a POST waits for its answer,
    assert in_flight.wait(60), first.log()
    first.kill()
    at_kill = counts(receiver)
    assert 0 < at_kill["events_received"] < DELIVERIES
    # and a new worker takes over once the interrupted delivery's lease has run out,
    restarted = time.monotonic()
    second = start_worker("hooks-again", redis_url=redis_server.url, **WORKER_ENV)
    assert wait_for(
        lambda: WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == DELIVERIES, 180, 0.25
    ), second.log()
    seconds = round(time.monotonic() - restarted, 1)
    time.sleep(3)

    # Then every event arrived, the interrupted one at most twice (the receiver dedupes on
    # webhook-id), and every POST the receiver saw is an attempt in the log, none missing.
    figures = counts(receiver)
    report(
        "webhooks worker killed mid-delivery",
        deliveries=DELIVERIES,
        received_at_kill=at_kill["posts_received"],
        catch_up_seconds=seconds,
        **figures,
    )
    assert figures["events_received"] == figures["delivered"] == DELIVERIES
    assert len(receiver.processed) == DELIVERIES
    assert figures["posts_received"] == figures["attempts_logged"]
    assert 1 <= figures["received_twice"] <= 2  # what was in flight at the kill, sent again
