"""Every write within its budget of queries: a change that adds one to a hot path fails here.

Counted in real transactions, as in production (inside a test's own transaction every atomic
block would add savepoints a request never sends). The transaction's own BEGIN and COMMIT are
not counted: every write has exactly one of each.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from sla.clocks import clock_schedule
from sla.escalation import sweep
from sla.models import Clock, EscalationStep, Firing, Notification, Target
from tests import factories

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db(transaction=True)


def statements(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]


def test_a_transition_that_stops_a_clock_and_starts_another_takes_at_most_eight_queries(
    clock_at, agent, team
):
    case = factories.open_case(actor=agent, team=team, channel="chat")
    with CaptureQueriesContext(connection) as ctx:
        services.case_transition(case=case, action="respond", actor=agent, data={"message": "Sorry."})
    assert case.clocks.get(kind="first_response").state == "met"
    assert len(statements(ctx)) <= 8, "\n".join(statements(ctx))


def test_a_breach_and_its_escalation_cost_at_most_eight_queries_per_clock(clock_at, agent, lead, team):
    team.lead = lead
    team.save()
    # One escalation level: the lead is told at the breach.
    for target in Target.objects.filter(kind="first_response"):
        EscalationStep.objects.filter(target=target).exclude(level=1).delete()
        EscalationStep.objects.filter(target=target, level=1).update(offset_minutes=0, action="notify_lead")
    cases = [factories.open_case(actor=agent, team=team, channel="chat") for _ in range(5)]
    Clock.objects.exclude(kind="first_response").update(next_check_at=None)
    Clock.objects.filter(kind="first_response").update(warnings=[])
    for clock in Clock.objects.filter(kind="first_response"):
        clock_schedule(clock)
        clock.save()
    clock_at(MONDAY_10 + timedelta(hours=1))
    with CaptureQueriesContext(connection) as ctx:
        report = sweep()
    assert report.breaches == 5 and report.escalations == 5
    assert Firing.objects.filter(level="L1").count() == 5
    assert Notification.objects.filter(recipient=lead, channel="in_app").count() == 5
    per_clock = len(statements(ctx)) / len(cases)
    assert per_clock <= 8, "\n".join(statements(ctx)[:20])


def test_a_group_of_breaches_writes_each_table_once(clock_at, agent, lead, team, settings):
    """Ten clocks of one group: their timeline entries, notices and firings are one INSERT per
    table, and every case's timeline still reads breach, then escalation."""
    settings.SLA_SWEEP_GROUP = 10
    team.lead = lead
    team.save()
    for target in Target.objects.filter(kind="first_response"):
        EscalationStep.objects.filter(target=target).exclude(level=1).delete()
        EscalationStep.objects.filter(target=target, level=1).update(offset_minutes=0, action="notify_lead")
    cases = [factories.open_case(actor=agent, team=team, channel="chat") for _ in range(10)]
    Clock.objects.exclude(kind="first_response").update(next_check_at=None)
    Clock.objects.filter(kind="first_response").update(warnings=[])
    for clock in Clock.objects.filter(kind="first_response"):
        clock_schedule(clock)
        clock.save()
    clock_at(MONDAY_10 + timedelta(hours=1))
    with CaptureQueriesContext(connection) as ctx:
        report = sweep()
    assert report.breaches == 10 and report.escalations == 10
    inserts = [sql for sql in statements(ctx) if sql.startswith("INSERT")]
    tables = [sql.split('"')[1] for sql in inserts]
    assert sorted(tables) == ["cases_caseevent", "sla_firing", "sla_notification"], inserts
    assert len(statements(ctx)) / len(cases) <= 3, "\n".join(statements(ctx))
    for case in cases:
        kinds = list(case.events.filter(kind__startswith="sla.").values_list("kind", flat=True))
        assert kinds == ["sla.clock.breached", "sla.clock.escalated"]
        assert Notification.objects.filter(case=case, recipient=lead, channel="in_app").count() == 1
