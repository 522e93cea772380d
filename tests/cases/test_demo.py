import datetime

import pytest
from django.core.management import call_command

from accounts.models import User
from cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_nothing_new_and_covers_every_stage(time_machine):
    # Which of 40 cases sit at DIFFERENT when the replay ends depends on the hour: a fixed Wednesday.
    time_machine.move_to(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=datetime.UTC), tick=True)
    call_command("seed_demo", cases=40, verbosity=0)
    counts = (User.objects.count(), Case.objects.count(), CaseEvent.objects.count())
    call_command("seed_demo", cases=40, verbosity=0)
    assert (User.objects.count(), Case.objects.count(), CaseEvent.objects.count()) == counts
    assert counts[1] == 40
    assert set(Case.objects.values_list("status", flat=True)) >= {"new", "responded", "resolved", "closed"}
    assert set(Case.objects.values_list("triage_stage", flat=True)) == {"what", "why", "different", "done"}
    assert Case.objects.filter(handoff_count__gt=0).exists()
    assert User.objects.get(username="ava").check_password("recover-2026")


def test_the_demo_tells_the_story_of_a_healthy_team_with_a_few_problems(time_machine):
    """Months replayed on a moving clock: answers within minutes, most clocks met, a few breaches
    the sweep really saw, resolutions spread over many days, and a bell with only recent news."""
    import statistics

    from django.utils import timezone

    from sla.models import Clock, Notification

    # The replay ends now, and which steps fall before it depends on the hour: a fixed Wednesday.
    time_machine.move_to(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=datetime.UTC), tick=True)
    call_command("seed_demo", cases=60, verbosity=0)
    now = timezone.now()
    first = Clock.objects.filter(kind="first_response", stopped_at__isnull=False)
    met = first.filter(breached_at__isnull=True).count() / first.count()
    assert 0.75 <= met <= 0.98, met
    minutes = statistics.median((c.stopped_at - c.started_at).total_seconds() / 60 for c in first)
    assert minutes < 90, minutes
    breaches = CaseEvent.objects.filter(kind="sla.clock.breached")
    assert breaches.exists() and CaseEvent.objects.filter(kind="sla.clock.escalated").exists()
    assert all(e.created_at < now for e in breaches)
    overdue = [now - c.due_at for c in Clock.objects.filter(stopped_at=None, due_at__lt=now)]
    assert max(overdue, default=datetime.timedelta(0)) < datetime.timedelta(days=3), overdue
    resolved_days = {
        timezone.localdate(e.created_at)
        for e in CaseEvent.objects.filter(kind="case.transitioned", data__action="resolve")
    }
    assert len(resolved_days) >= 20
    opened = Case.objects.order_by("opened_at")
    assert now - opened.first().opened_at > datetime.timedelta(days=60)
    for name in ("ava", "sam", "lee", "max"):
        unread = Notification.objects.filter(recipient__username=name, channel="in_app", read_at=None)
        assert unread.count() <= 10, (name, unread.count())
        assert not unread.filter(created_at__lt=now - datetime.timedelta(days=4)).exists()
    # The history's e-mail and text messages went out in their day: the first worker of `make run`
    # sends only what the last day left.
    waiting = Notification.objects.exclude(channel="in_app").filter(delivered_at=None, failed_at=None)
    assert not waiting.filter(created_at__lt=now - datetime.timedelta(days=2)).exists()
