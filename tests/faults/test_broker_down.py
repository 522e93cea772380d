"""Redis (the Celery broker) stopped while people work: the web app keeps taking and updating
cases, notifications wait in the outbox, and once Redis is back everything is delivered once
and the SLA sweep catches up.

The outage lasts OUTAGE_SECONDS, a full minute: long enough for warnings and breaches to fall
due with no sweep running, for the worker and beat to lose their connection and retry many
times, for messages the worker held unacknowledged to be restored on reconnect, and for the web
process's enqueue-on-commit to meet a dead broker many times. The worker must come through it
alive: nothing restarts it here, just as nothing did in the outage that once killed it for good.
"""

import time
from collections import Counter
from functools import partial

import pytest
import requests
from django.utils import timezone

from sla.models import Clock, Firing, Notification
from tests import factories

from .conftest import due_levels, policy_one_minute, report, wait_for
from .mailbox import sent

pytestmark = pytest.mark.django_db(transaction=True)

OUTAGE_SECONDS = 60


class Traffic:
    """Requests made during the outage and what came back."""

    def __init__(self):
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.slowest = 0.0

    def call(self, send, *, expect: int) -> requests.Response | None:
        began = time.monotonic()
        try:
            response = send()
        except requests.RequestException as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return None
        finally:
            self.slowest = max(self.slowest, time.monotonic() - began)
        self.statuses[response.status_code] += 1
        if response.status_code != expect:
            self.errors.append(f"{response.request.method} {response.url}: {response.status_code}")
        return response

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def intake(team, product, n: int) -> dict:
    return {
        "customer_name": f"Broker outage customer {n}",
        "customer_email": f"outage{n}@example.com",
        "channel": "web_form",
        "summary": f"Order {n} arrived cold",
        "description": "Logged while the broker was down.",
        "product": product.pk,
        "journey_stage": "delivery",
        "severity": "medium",
        "team": team.pk,
    }


def test_with_redis_down_cases_are_taken_and_notifications_wait_then_go_once(
    redis_server, start_worker, start_web, mailbox, team, agent, lead, manager
):
    # Given a team whose web-form clocks warn after 15 s and breach after a minute, a worker
    # with beat, the web app, both on our own Redis, and five deliveries that failed earlier.
    team.lead = lead
    team.save()
    for person in (agent, lead, manager):
        person.email = f"{person.username}@example.com"
        person.save()
    policy_one_minute(channel="web_form", warn_percent=25, actions=("notify_lead",))
    product = factories.ProductFactory()
    failed = [
        Notification.objects.create(
            channel="email",
            recipient=manager,
            address=manager.email,
            subject=f"Delivery that failed earlier #{n}",
            body="Retried by hand during the outage.",
            created_at=timezone.now(),
            attempts=6,
            failed_at=timezone.now(),
            last_error="SMTPServerDisconnected",
        )
        for n in range(5)
    ]
    worker = start_worker("worker", redis_url=redis_server.url)
    web = start_web(redis_url=redis_server.url)
    as_agent, as_manager = web.session(agent.username), web.session(manager.username)
    before = [web.post(as_agent, "/cases/new/", intake(team, product, n)) for n in range(2)]
    assert [r.status_code for r in before] == [302, 302]

    # When Redis stops and people keep working for OUTAGE_SECONDS: new cases, notes, pages,
    # and a manager retrying the failed deliveries (each retry enqueues on commit).
    redis_server.stop()
    traffic = Traffic()
    ready = requests.get(f"{web.url}/readyz", timeout=10)
    references = [r.headers["Location"].strip("/").split("/")[-1] for r in before]
    retried = []
    outage_ends = time.monotonic() + OUTAGE_SECONDS
    n = 2
    while time.monotonic() < outage_ends:
        created = traffic.call(
            partial(web.post, as_agent, "/cases/new/", intake(team, product, n)), expect=302
        )
        if created is not None and created.status_code == 302:
            references.append(created.headers["Location"].strip("/").split("/")[-1])
        ref = references[n % len(references)]
        note = {"text": f"Called the customer back, attempt {n}."}
        traffic.call(partial(web.post, as_agent, f"/cases/{ref}/note/", note), expect=302)
        traffic.call(partial(as_agent.get, f"{web.url}/cases/{ref}/", timeout=10), expect=200)
        if len(retried) < len(failed):
            row = failed[len(retried)]
            retry = f"/sla/deliveries/{row.pk}/retry/"
            traffic.call(partial(web.post, as_manager, retry, {}), expect=302)
            retried.append(row.pk)
        n += 1
        time.sleep(0.2)
    waiting = Notification.objects.filter(pk__in=retried, delivered_at__isnull=True).count()
    sent_during_outage = len(sent(mailbox))

    # Then nothing failed while the broker was down...
    assert ready.status_code == 503 and ready.json()["checks"] == {
        "database": True,
        "broker": False,
        "sla_sweep": True,
    }
    assert traffic.server_errors == 0 and not traffic.errors, traffic.errors[:10]
    assert waiting == len(failed) == len(retried)

    # ...and when Redis is back, the sweep catches up and the outbox drains, each row once.
    redis_server.start()
    back = timezone.now()
    clocks = list(Clock.objects.filter(case__team=team))
    due = due_levels(clocks, by=back)

    def caught_up() -> bool:
        fired = set(Firing.objects.values_list("clock_id", "level"))
        undelivered = Notification.objects.filter(channel="email", delivered_at__isnull=True)
        return due <= fired and not undelivered.exists()

    assert wait_for(caught_up, 60, 0.2), worker.log()
    caught_up_seconds = (timezone.now() - back).total_seconds()
    # The same worker process did the catching up, and is still running.
    worker_survived = worker.alive
    assert worker_survived, worker.log()
    assert "Unrecoverable error" not in worker.log(tail=10**7), worker.log()
    worker.stop()  # nothing more is sent while we count
    delivered = Counter(
        Notification.objects.filter(channel="email", delivered_at__isnull=False).values_list(
            "address", "subject"
        )
    )
    mail = Counter(sent(mailbox))
    duplicated = sum((mail - delivered).values())
    lost = sum((delivered - mail).values())
    firings = Counter(Firing.objects.values_list("clock_id", "level"))
    late = [f.lateness_seconds for f in Firing.objects.filter(due_at__lt=back)]
    enqueue_failures = web.process.log(tail=10**7).count("could not enqueue notification delivery")
    report(
        "Redis down",
        outage_s=OUTAGE_SECONDS,
        worker_survived=worker_survived,
        requests=traffic.count,
        http_5xx=traffic.server_errors,
        slowest_request_s=round(traffic.slowest, 2),
        cases_opened=len(references),
        enqueue_failures_logged=enqueue_failures,
        waiting_in_outbox=waiting,
        sent_during_outage=sent_during_outage,
        due_levels_caught_up=len(due),
        max_detection_lateness_s=round(max(late, default=0), 1),
        caught_up_after_s=round(caught_up_seconds, 1),
        emails_sent=sum(mail.values()),
        duplicated=duplicated,
        lost=lost,
    )
    assert sent_during_outage == 0
    assert duplicated == 0 and lost == 0
    assert all(n == 1 for n in firings.values())
    assert Notification.objects.filter(pk__in=retried, delivered_at__isnull=False).count() == len(failed)
    assert due and max(late) > 0


def _hold_one_message(redis_url: str, transport: str):
    """A connection whose channel holds one message unacknowledged, as a worker does."""
    from kombu import Connection, Consumer, Producer, Queue

    queue = Queue("held", routing_key="held")
    with Connection(redis_url) as publisher:
        Producer(publisher.channel()).publish({"n": 1}, routing_key="held", declare=[queue])
    connection = Connection(redis_url, transport=transport)
    channel = connection.channel()
    held = []
    Consumer(channel, [queue], callbacks=[lambda body, message: held.append(body)]).consume()
    connection.drain_events(timeout=5)
    assert held == [{"n": 1}] and channel.qos._delivered
    return connection, channel


def _lose_the_connection_as_the_worker_does(connection, channel):
    # celery's consumer, on a lost connection: collect() gets half-way through closing the
    # channel (its socket is dead), then detaches the transport; close() closes the channel again.
    channel._disconnect_pools()
    connection.transport.client = None
    channel.close()


def test_after_a_lost_connection_the_held_message_is_restored_not_a_crash(redis_server):
    from kombu import Connection

    connection, channel = _hold_one_message(redis_server.url, "recovery.broker:Transport")
    _lose_the_connection_as_the_worker_does(connection, channel)
    with Connection(redis_server.url) as again:
        queue = again.SimpleQueue("held")
        assert queue.get(timeout=5).payload == {"n": 1}
        queue.close()


def test_kombus_own_redis_transport_still_crashes_there(redis_server):
    # If this starts failing, kombu has fixed it and recovery/broker.py can go.
    connection, channel = _hold_one_message(redis_server.url, "redis")
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'hostname'"):
        _lose_the_connection_as_the_worker_does(connection, channel)
