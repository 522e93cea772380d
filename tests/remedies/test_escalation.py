"""The approval clock: a request nobody decided in time goes to the managers, once."""

import datetime

import pytest

from cases.models import CaseEvent
from remedies import services
from remedies.escalation import approvals_escalate_due
from remedies.tasks import escalate_overdue_approvals
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


def ask(case, actor, kind, amount="80"):
    return services.remedy_give(
        case=case, actor=actor, kind=kind, amount=amount, currency="GBP", confirmed_customer_total=True
    ).approval


def test_it_escalates_a_request_still_pending_when_its_clock_runs_out(
    caps, agent, lead, team, case, refund, time_machine
):
    team.lead = lead
    team.save()
    time_machine.move_to(T0, tick=False)
    approval = ask(case, agent, refund)

    assert approvals_escalate_due(now=T0 + datetime.timedelta(minutes=14, seconds=59)) == 0
    time_machine.move_to(T0 + datetime.timedelta(minutes=16), tick=False)
    assert escalate_overdue_approvals() == 1

    approval.refresh_from_db()
    assert approval.assigned_to is None and approval.escalated_at == T0 + datetime.timedelta(minutes=16)
    event = CaseEvent.objects.get(kind="approval.escalated")
    assert event.actor is None and event.data["from"] == lead.pk and event.data["late_by_seconds"] == 60
    # A second sweep, or a retried task, changes nothing
    assert approvals_escalate_due() == 0
    assert CaseEvent.objects.filter(kind="approval.escalated").count() == 1


def test_decided_requests_are_never_escalated(caps, agent, lead, case, refund, time_machine):
    time_machine.move_to(T0, tick=False)
    approval = ask(case, agent, refund)
    services.approval_decide(approval=approval, actor=lead, approve=False, reason="No.")

    assert approvals_escalate_due(now=T0 + datetime.timedelta(hours=1)) == 0


def test_the_sweep_drains_more_than_one_batch(caps, agent, team, refund, time_machine):
    time_machine.move_to(T0, tick=False)
    for _ in range(5):
        ask(factories.open_case(actor=agent, team=team), agent, refund)

    assert approvals_escalate_due(now=T0 + datetime.timedelta(minutes=20), batch=2) == 5


def test_the_case_page_shows_an_escalated_request(caps, client, agent, case, refund, time_machine):
    time_machine.move_to(T0, tick=False)
    ask(case, agent, refund)
    approvals_escalate_due(now=T0 + datetime.timedelta(minutes=20))
    client.force_login(agent)

    page = client.get(f"/cases/{case.reference}/").content.decode()

    assert "escalated to managers" in page and "it went to the managers" in page
