"""Two beats by mistake (two `worker -B`): twice the ticks, two sweeps and two deliverers racing
on the same clocks and outbox rows, and still no escalation or notification twice."""

import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from cases.models import Case, CaseEvent
from sla.models import Clock, Firing, Notification
from tests import factories

from .conftest import due_levels, policy_one_minute, report, wait_for
from .mailbox import sent

pytestmark = pytest.mark.django_db(transaction=True)

CASES = 60


def sweeps_sent(log: str) -> int:
    return log.count("Sending due task sla-sweep")


def fired_by(log: str) -> int:
    return sum(
        int(n) for n in re.findall(r"sla\.sweep\[[^\]]+\] succeeded in [^:]+: \{[^}]*'fired': (\d+)", log)
    )


def test_two_beats_by_mistake_fire_and_send_nothing_twice(
    redis_server, start_worker, mailbox, team, agent, lead, manager
):
    # Given 60 cases whose one-minute clocks have warned already and breach over the next
    # 20 seconds, each breach taking the case to the lead and telling the managers...
    team.lead = lead
    team.save()
    for person in (agent, lead, manager):
        person.email = f"{person.username}@example.com"
        person.save()
    policy_one_minute(channel="web_form", warn_percent=50, actions=("reassign_lead", "notify_manager"))
    product = factories.ProductFactory()
    first = timezone.now() - timedelta(seconds=65)
    for n in range(CASES):
        opened = first + timedelta(seconds=n * 0.4)
        factories.open_case(actor=agent, team=team, channel="web_form", opened_at=opened, product=product)
    clocks = list(Clock.objects.filter(case__team=team))
    expected = due_levels(clocks, by=timezone.now() + timedelta(days=1))
    assert len(expected) == CASES * 4

    # When two workers each run their own beat, both ticking every second...
    a = start_worker("beat-a", redis_url=redis_server.url)
    b = start_worker("beat-b", redis_url=redis_server.url)
    began = time.monotonic()
    assert wait_for(lambda: Firing.objects.count() >= len(expected), 90, 0.25), a.log() + b.log()
    undelivered = Notification.objects.filter(channel="email", delivered_at__isnull=True)
    assert wait_for(lambda: not undelivered.exists(), 30, 0.2), a.log() + b.log()
    time.sleep(3)  # more ticks from both beats: a second firing would show up now
    seconds = time.monotonic() - began
    a.stop()
    b.stop()

    # Then every level fired once, every case went to the lead once, every e-mail left once.
    firings = Counter(Firing.objects.values_list("clock_id", "level"))
    events = Counter(
        (event.data["clock"], event.data.get("level", "breach"))
        for event in CaseEvent.objects.filter(
            kind__in=["sla.clock.warned", "sla.clock.breached", "sla.clock.escalated"]
        )
    )
    notices = Notification.objects.values("event", "recipient", "channel").annotate(n=Count("id"))
    duplicated_notices = sum(row["n"] - 1 for row in notices if row["n"] > 1)
    delivered = Counter(Notification.objects.filter(channel="email").values_list("address", "subject"))
    mail = Counter(sent(mailbox))
    log_a, log_b = a.log(tail=10**7), b.log(tail=10**7)
    duplicated = (
        sum(n - 1 for n in firings.values())
        + sum(n - 1 for n in events.values())
        + duplicated_notices
        + sum((mail - delivered).values())
    )
    lost = len(expected - set(firings)) + sum((delivered - mail).values())
    report(
        "two beats",
        cases=CASES,
        sweeps_sent_by_beat_a=sweeps_sent(log_a),
        sweeps_sent_by_beat_b=sweeps_sent(log_b),
        fired_by_worker_a=fired_by(log_a),
        fired_by_worker_b=fired_by(log_b),
        levels_recorded=sum(firings.values()),
        timeline_events=sum(events.values()),
        notifications=sum(row["n"] for row in notices),
        emails_sent=sum(mail.values()),
        duplicated=duplicated,
        lost=lost,
        run_s=round(seconds, 1),
    )
    assert sweeps_sent(log_a) >= 5 and sweeps_sent(log_b) >= 5
    assert set(firings) == expected and set(events) == expected
    assert duplicated == 0 and lost == 0
    assert Case.objects.filter(team=team, owner=lead).count() == CASES
    reassigned = Firing.objects.filter(level="L1", outcome__startswith="reassigned to")
    assert reassigned.count() == CASES
