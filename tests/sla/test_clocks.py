from datetime import timedelta

import pytest

from cases import services
from cases.models import Case
from sla.clocks import policy_for
from sla.escalation import sweep
from sla.models import Clock, ClockPause, ClockState, Firing, Policy
from tests import factories

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)


def clocks(case):
    return {c.kind: c for c in Clock.objects.filter(case=case, stopped_at__isnull=True)}


def test_it_starts_the_first_response_resolution_and_what_clocks_at_intake(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    running = clocks(case)
    assert set(running) == {"first_response", "resolution", "stage_what"}
    assert running["first_response"].policy.name == "Standard"
    assert running["first_response"].due_at == MONDAY_10 + timedelta(hours=4)
    # Three 9-to-5 days from Monday 10:00 ends Thursday 10:00.
    assert running["resolution"].due_at == MONDAY_10 + timedelta(days=3)


def test_a_live_chat_complaint_must_be_answered_within_the_first_minute_day_or_night(clock_at, agent, team):
    sunday_night = MONDAY_10 - timedelta(hours=12)
    clock_at(sunday_night)
    case = factories.open_case(actor=agent, team=team, channel="chat", severity="low")
    first = clocks(case)["first_response"]
    assert first.policy.name == "Live: chat"
    assert first.due_at == sunday_night + MIN
    assert first.warn_at == sunday_night + timedelta(seconds=30)


def test_the_most_specific_policy_wins(policies):
    assert policy_for(severity="critical", channel="chat").name == "Live: critical chat"
    assert policy_for(severity="critical", channel="email").name == "Critical"
    assert policy_for(severity="low", channel="phone").name == "Live: phone"
    assert policy_for(severity="low", channel="email").name == "Standard"


def test_a_default_policy_exists_even_when_nobody_created_one(db):
    Policy.objects.all().delete()
    assert policy_for(severity="low", channel="email").is_default


def test_responding_on_time_records_the_clock_met_with_the_business_time_it_took(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    clock_at(MONDAY_10 + timedelta(minutes=42))
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry, I own it."})
    first = Clock.objects.get(case=case, kind="first_response")
    assert first.state == ClockState.MET
    assert first.business_minutes_taken == pytest.approx(42)
    assert first.next_check_at is None
    assert case.events.filter(kind="sla.clock.met").count() == 1


def test_responding_late_records_one_breach_at_the_real_due_time(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    clock_at(MONDAY_10 + timedelta(hours=5))
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry."})
    first = Clock.objects.get(case=case, kind="first_response")
    assert first.state == ClockState.STOPPED
    assert first.breached_at == MONDAY_10 + timedelta(hours=4)
    assert Firing.objects.filter(clock=first, level="breach").count() == 1
    breached = case.events.get(kind="sla.clock.breached")
    assert breached.data["lateness_seconds"] == 3600


def test_waiting_on_the_customer_pauses_resolution_and_extends_it_by_the_pause(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry."})
    clock_at(MONDAY_10 + timedelta(hours=1))
    services.case_transition(case=case, action="wait_on_customer", actor=agent, data={"reason": "Photo"})
    paused = clocks(case)["resolution"]
    assert paused.state == ClockState.PAUSED and paused.due_at is None and paused.next_check_at is None

    clock_at(MONDAY_10 + timedelta(hours=3))
    services.case_transition(case=case, action="customer_replied", actor=agent)
    resumed = clocks(case)["resolution"]
    assert resumed.state == ClockState.RUNNING
    assert resumed.due_at == MONDAY_10 + timedelta(days=3, hours=2)
    assert [(p.started_at, p.ended_at) for p in ClockPause.objects.filter(clock=resumed)] == [
        (MONDAY_10 + timedelta(hours=1), MONDAY_10 + timedelta(hours=3))
    ]


def test_raising_the_severity_re_targets_open_clocks_from_their_start(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    clock_at(MONDAY_10 + timedelta(minutes=20))
    services.case_update(case=case, actor=agent, changes={"severity": "critical"})
    first = clocks(case)["first_response"]
    assert first.policy.name == "Critical"
    assert first.started_at == MONDAY_10
    assert first.due_at == MONDAY_10 + timedelta(hours=1)


def test_a_re_target_keeps_pauses_taken_before_it(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry."})
    clock_at(MONDAY_10 + timedelta(hours=1))
    services.case_transition(case=case, action="wait_on_customer", actor=agent, data={"reason": "Photo"})
    clock_at(MONDAY_10 + timedelta(hours=2))
    services.case_transition(case=case, action="customer_replied", actor=agent)
    services.case_update(case=case, actor=agent, changes={"severity": "critical"})
    # Critical: resolution within one business day, plus the hour the customer kept us waiting.
    assert clocks(case)["resolution"].due_at == MONDAY_10 + timedelta(days=1, hours=1)


def test_resolving_stops_resolution_and_starts_the_follow_up_clock(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry."})
    services.case_transition(case=case, action="resolve", actor=agent, data={"resolution": "Refunded."})
    running = clocks(case)
    assert "resolution" not in running and "periodic_update" not in running
    assert running["follow_up"].due_at == MONDAY_10 + timedelta(days=2)


def test_reopening_starts_a_fresh_resolution_clock(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry."})
    services.case_transition(case=case, action="resolve", actor=agent, data={"resolution": "Refunded."})
    clock_at(MONDAY_10 + timedelta(hours=2))
    services.case_transition(case=case, action="reopen", actor=agent, data={"reason": "Not fixed."})
    running = clocks(case)
    assert running["resolution"].started_at == MONDAY_10 + timedelta(hours=2)
    assert "follow_up" not in running
    assert Clock.objects.filter(case=case, kind="resolution").count() == 2


def test_the_triage_stage_clocks_follow_the_stages(clock_at, agent, team):
    case = factories.open_case(actor=agent, team=team)
    services.triage_record_what(case=case, actor=agent, answers=factories.WHAT_ANSWERS)
    services.case_transition(case=case, action="complete_what", actor=agent)
    assert Clock.objects.get(case=case, kind="stage_what").state == ClockState.MET
    assert "stage_why" in clocks(case)


def test_regulatory_templates_run_in_parallel_once_switched_on(clock_at, agent, team):
    Policy.objects.filter(name="UK FCA DISP 1.6").update(active=True)
    case = factories.open_case(actor=agent, team=team, channel="email", severity="medium")
    running = clocks(case)
    assert {"reg_acknowledge", "reg_summary", "reg_final", "first_response"} <= set(running)
    assert running["reg_final"].due_at == MONDAY_10 + timedelta(weeks=8)
    assert running["reg_final"].policy.name == "UK FCA DISP 1.6"


def test_a_customer_update_restarts_the_periodic_update_clock(clock_at, agent, team):
    from sla.services import customer_update_record

    case = factories.open_case(actor=agent, team=team, channel="email")
    services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry."})
    assert clocks(case)["periodic_update"].due_at == MONDAY_10 + timedelta(days=1)
    clock_at(MONDAY_10 + timedelta(hours=3))
    customer_update_record(case=case, actor=agent, note="Parcel is on its way.")
    assert clocks(case)["periodic_update"].due_at == MONDAY_10 + timedelta(days=1, hours=3)


def test_a_promise_becomes_a_clock_that_breaches_at_the_promised_time(clock_at, agent, team):
    from sla.services import promise_make

    case = factories.open_case(actor=agent, team=team)
    promised = MONDAY_10 + timedelta(hours=20)  # overnight: promises count in elapsed time
    clock = promise_make(case=case, actor=agent, what="Call back with the refund", due_at=promised)
    assert clock.due_at == promised and clock.title == "Call back with the refund"
    clock_at(promised + MIN)
    sweep()
    clock.refresh_from_db()
    assert clock.breached_at == promised
    assert Case.objects.get(pk=case.pk).events.filter(kind="sla.clock.breached").exists()


def test_the_demo_opens_two_watch_cases_once_while_they_count_down(db):
    from django.core.management import call_command

    from sla.demo import seed_watch_cases

    call_command("seed_demo", cases=5, verbosity=0)
    watch = seed_watch_cases()
    assert Clock.objects.get(case=watch.live, kind="first_response").target_minutes == 1
    promise = Clock.objects.get(case=watch.promised, kind="promise")
    assert promise.title == "Call back with a new delivery slot"
    assert seed_watch_cases() is None
