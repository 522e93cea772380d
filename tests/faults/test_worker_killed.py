"""A worker killed with SIGKILL in the middle of a sweep, then started again: every due warning,
breach and escalation level is recorded exactly once, none twice, none lost."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from cases.models import CaseEvent
from sla.models import Clock, Firing, Notification
from tests import factories

from .conftest import due_levels, policy_one_minute, report, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

CASES = 300


def test_a_worker_killed_mid_sweep_leaves_every_due_level_recorded_exactly_once(
    redis_server, start_worker, team, agent, lead, manager
):
    # Given 300 cases whose one-minute clocks ran out minutes ago, nobody having answered:
    # each clock owes a warning, a breach and two escalation levels (1,200 effects).
    team.lead = lead
    team.save()
    policy_one_minute(channel="web_form", warn_percent=50, actions=("notify_lead", "notify_manager"))
    began = time.monotonic()
    opened = timezone.now() - timedelta(minutes=5)
    product = factories.ProductFactory()
    for _ in range(CASES):
        factories.open_case(actor=agent, team=team, channel="web_form", opened_at=opened, product=product)
    clocks = list(Clock.objects.filter(case__team=team))
    expected = due_levels(clocks, by=timezone.now())
    assert len(expected) == CASES * 4

    setup_seconds = time.monotonic() - began

    # When a worker sweeps them in small batches and is killed (the whole process group,
    # SIGKILL) once some batches are committed and others are not...
    first = start_worker("sweeper", redis_url=redis_server.url, SLA_SWEEP_BATCH=10)
    assert wait_for(lambda: Firing.objects.exists(), 60, 0.05), first.log()
    first.kill()
    at_kill = Firing.objects.count()
    assert 0 < at_kill < len(expected), f"the sweep was not in progress at the kill ({at_kill})"
    # ...then started again,
    restarted = time.monotonic()
    second = start_worker("sweeper-again", redis_url=redis_server.url, SLA_SWEEP_BATCH=10)
    assert wait_for(lambda: Firing.objects.count() >= len(expected), 90, 0.25), second.log()
    caught_up_seconds = time.monotonic() - restarted
    time.sleep(3)  # a few more ticks: anything fired twice would show up now

    # Then every due level is recorded once, with one timeline event and one notice per person.
    recorded = set(Firing.objects.values_list("clock_id", "level"))
    firings = Firing.objects.count()
    events = Counter(
        (event.data["clock"], event.data.get("level", "breach"))
        for event in CaseEvent.objects.filter(
            kind__in=["sla.clock.warned", "sla.clock.breached", "sla.clock.escalated"]
        )
    )
    duplicated_events = sum(n - 1 for n in events.values() if n > 1)
    notices = Notification.objects.filter(channel="in_app").values("event", "recipient")
    duplicated_notices = notices.annotate(n=Count("id")).filter(n__gt=1).count()
    silent_events = CaseEvent.objects.filter(kind__startswith="sla.clock.").exclude(
        pk__in=Notification.objects.values("event")
    )
    lost = expected - recorded
    report(
        "worker SIGKILL mid-sweep",
        clocks=len(clocks),
        due_levels=len(expected),
        recorded_before_kill=at_kill,
        recorded=firings,
        timeline_events=sum(events.values()),
        notices=notices.count(),
        duplicated=firings - len(recorded) + duplicated_events + duplicated_notices,
        lost=len(lost),
        setup_s=round(setup_seconds, 1),
        caught_up_after_restart_s=round(caught_up_seconds, 1),
    )
    assert not lost, sorted(lost)[:10]
    assert firings == len(recorded) == len(expected)
    assert set(events) == expected and duplicated_events == 0
    assert duplicated_notices == 0 and not silent_events.exists()
    assert not Clock.objects.filter(case__team=team, next_check_at__lte=timezone.now()).exists()
