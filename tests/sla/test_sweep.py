"""The sweep: warnings, breaches and escalation levels fire on time, once, in order."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from cases import services
from cases.models import Case
from sla.escalation import sweep
from sla.models import Clock, Firing, Notification
from tests import factories

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db
SEC = timedelta(seconds=1)


@pytest.fixture
def live_case(clock_at, agent, lead, team, manager):
    """A live chat complaint: first response within one minute, 24/7, warnings at 30 s and 54 s."""
    team.lead = lead
    team.save()
    return factories.open_case(actor=agent, team=team, channel="chat", severity="low")


def first_response(case):
    return Clock.objects.get(case=case, kind="first_response")


def levels(case):
    return list(
        Firing.objects.filter(clock__case=case, clock__kind="first_response")
        .order_by("due_at", "level")
        .values_list("level", flat=True)
    )


def test_nothing_fires_before_the_first_warning(live_case, clock_at):
    clock_at(MONDAY_10 + 29 * SEC)
    assert sweep().fired == 0
    assert levels(live_case) == []


def test_it_warns_then_breaches_then_escalates_each_at_its_time(live_case, clock_at, lead):
    clock_at(MONDAY_10 + 30 * SEC)
    sweep()
    assert levels(live_case) == ["L1", "warn-1"]
    clock_at(MONDAY_10 + 60 * SEC)
    sweep()
    assert levels(live_case) == ["L1", "warn-1", "warn-2", "L2", "breach"]
    assert first_response(live_case).warned_at == MONDAY_10 + 30 * SEC
    assert first_response(live_case).breached_at == MONDAY_10 + 60 * SEC
    clock_at(MONDAY_10 + 3 * 60 * SEC)
    sweep()
    case = Case.objects.get(pk=live_case.pk)
    assert case.owner == lead  # level 3: reassigned to the lead two minutes after the breach
    assert case.events.filter(kind="sla.clock.escalated", data__action="reassign_lead").count() == 1
    clock_at(MONDAY_10 + 10 * 60 * SEC)
    sweep()
    assert levels(live_case) == ["L1", "warn-1", "warn-2", "L2", "breach", "L3", "L4"]
    assert first_response(live_case).next_check_at is None


def test_each_level_fires_once_however_often_the_sweep_runs(live_case, clock_at):
    clock_at(MONDAY_10 + 10 * 60 * SEC)
    sweep()
    first = list(Firing.objects.values_list("clock", "level"))
    sweep()
    sweep()
    assert list(Firing.objects.values_list("clock", "level")) == first
    assert Case.objects.get(pk=live_case.pk).events.filter(kind="sla.clock.breached").count() == 1


def test_a_clock_met_just_before_the_sweep_is_never_breached(live_case, clock_at, agent):
    clock_at(MONDAY_10 + 59 * SEC)
    services.case_transition(case=live_case, action="respond", actor=agent, data={"message": "Sorry!"})
    clock_at(MONDAY_10 + 5 * 60 * SEC)
    sweep()
    assert "breach" not in levels(live_case)
    assert first_response(live_case).state == "met"


def test_after_downtime_the_sweep_catches_up_with_real_due_times_and_lateness(live_case, clock_at):
    clock_at(MONDAY_10 + timedelta(hours=1))
    report = sweep()
    assert report.warnings == 2 and report.breaches == 1 and report.escalations == 4
    breach = Firing.objects.get(clock__case=live_case, clock__kind="first_response", level="breach")
    assert breach.due_at == MONDAY_10 + 60 * SEC
    assert breach.lateness_seconds == 59 * 60
    clock = first_response(live_case)
    assert clock.breached_at == MONDAY_10 + 60 * SEC and clock.state == "breached"
    assert clock.warned_at == MONDAY_10 + 30 * SEC
    event = Case.objects.get(pk=live_case.pk).events.get(kind="sla.clock.breached")
    assert event.data["lateness_seconds"] == 59 * 60


def test_warnings_and_breaches_tell_the_owner_in_words(live_case, clock_at, agent):
    clock_at(MONDAY_10 + 30 * SEC)
    sweep()
    clock_at(MONDAY_10 + 75 * SEC)
    sweep()
    notices = Notification.objects.filter(recipient=agent, channel="in_app").order_by("id")
    texts = [n.subject for n in notices]
    customer = live_case.customer.name
    assert any(f"{live_case.reference} · {customer}: First response is due in 30 s" in t for t in texts)
    assert any("First response is overdue by 15 s" in t for t in texts)


def test_a_raise_severity_level_moves_the_case_up_and_re_targets_it(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="critical")
    clock_at(MONDAY_10 + timedelta(minutes=91))
    sweep()
    # Already critical: the level fires once and says so.
    escalated = Case.objects.get(pk=case.pk).events.get(data__action="raise_severity")
    assert escalated.data["outcome"] == "severity already critical"


def test_a_clock_that_fails_is_retried_later_without_blocking_the_others(
    live_case, clock_at, agent, team, monkeypatch
):
    other = factories.open_case(actor=agent, team=team, channel="chat")
    import sla.escalation as escalation

    real = escalation._breach

    def broken(clock, case, now):
        if case.pk == live_case.pk:
            raise RuntimeError("boom")
        real(clock, case, now)

    monkeypatch.setattr(escalation, "_breach", broken)
    clock_at(MONDAY_10 + 61 * SEC)
    report = sweep()
    assert report.failed >= 1
    assert "breach" in [f.level for f in Firing.objects.filter(clock__case=other)]
    stuck = first_response(live_case)
    assert stuck.next_check_at == MONDAY_10 + 61 * SEC + escalation.RETRY_AFTER
    assert stuck.check_failures == 1 and not Firing.objects.filter(clock=stuck).exists()


def test_the_sweep_costs_the_same_with_many_more_clocks_that_are_not_due(
    clock_at, agent, team, django_assert_max_num_queries
):
    for _ in range(3):
        factories.open_case(actor=agent, team=team, channel="chat")
    clock_at(MONDAY_10 + 31 * SEC)
    with django_assert_max_num_queries(200) as few:
        sweep()
    for _ in range(40):
        factories.open_case(actor=agent, team=team, channel="email")
    Firing.objects.all().delete()
    Clock.objects.filter(kind="first_response", case__channel="chat").update(
        next_check_at=MONDAY_10, fired_levels=[]
    )
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        sweep()
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_concurrently_fire_each_level_once(time_machine, team, agent, lead, manager):
    from sla.policies import policies_ensure_defaults

    policies_ensure_defaults()
    time_machine.move_to(MONDAY_10, tick=False)
    team.lead = lead
    team.save()
    cases = [factories.open_case(actor=agent, team=team, channel="chat") for _ in range(30)]
    time_machine.move_to(MONDAY_10 + timedelta(minutes=10), tick=False)
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            sweep()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for case in cases:
        assert levels(case) == ["L1", "warn-1", "warn-2", "L2", "breach", "L3", "L4"]
        assert Case.objects.get(pk=case.pk).events.filter(kind="sla.clock.breached").count() == 1


def test_a_paused_resolution_clock_is_not_breached_while_the_customer_keeps_us_waiting(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="chat")
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry"})
    services.case_transition(case=case, action="wait_on_customer", actor=agent, data={"reason": "Photo"})
    clock_at(MONDAY_10 + timedelta(days=14))
    sweep()
    resolution = Clock.objects.get(case=case, kind="resolution")
    assert resolution.breached_at is None and resolution.state == "paused"
    assert not Firing.objects.filter(clock=resolution).exists()


def test_a_sweep_killed_mid_run_keeps_each_committed_group_and_leaves_nothing_half_done(
    clock_at, agent, team, monkeypatch, settings
):
    settings.SLA_SWEEP_GROUP = 2
    cases = [factories.open_case(actor=agent, team=team, channel="chat") for _ in range(4)]
    clock_at(MONDAY_10 + timedelta(minutes=10))
    import sla.escalation as escalation

    real, seen = escalation._breach, []

    def dies_on_the_third(clock, case, now):
        seen.append(case.pk)
        if len(seen) == 3:
            raise SystemExit("worker killed")  # not an Exception: nothing catches it, like SIGKILL
        real(clock, case, now)

    monkeypatch.setattr(escalation, "_breach", dies_on_the_third)
    with pytest.raises(SystemExit):
        sweep()
    # Each group of two commits on its own: the first group is done, the one in flight left
    # nothing behind (not even the warnings of its first clock), the last clock never started.
    fired = [levels(case) for case in Case.objects.filter(pk__in=seen)]
    assert sorted(map(len, fired)) == [0, 7, 7]
    monkeypatch.setattr(escalation, "_breach", real)
    sweep()
    for case in cases:
        assert levels(case) == ["L1", "warn-1", "warn-2", "L2", "breach", "L3", "L4"]
        assert Case.objects.get(pk=case.pk).events.filter(kind="sla.clock.breached").count() == 1
