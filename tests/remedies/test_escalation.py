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


def _told(kind="approval.escalated"):
    """(recipients of the latest escalation's notices, channel) from the outbox."""
    from sla.models import Notification

    event = CaseEvent.objects.filter(kind=kind).latest("id")
    return {n.recipient.username for n in Notification.objects.filter(event=event, channel="in_app")}


@pytest.mark.django_db
def test_an_ignored_approval_climbs_from_the_lead_to_a_manager_to_every_manager_each_told(
    caps, agent, lead, team, refund, time_machine, settings
):
    from messaging.models import CustomerMessage
    from remedies.models import ApprovalEscalation

    settings.APPROVAL_MINUTES, settings.APPROVAL_ESCALATION_MINUTES = 15, 10
    team.lead = lead
    team.save()
    max_ = factories.UserFactory(username="max", role="manager", email="max@example.com")
    mia = factories.UserFactory(username="mia", role="manager")
    customer = factories.CustomerFactory(email="pat@example.com", phone="")
    time_machine.move_to(T0, tick=False)
    case = factories.open_case(actor=agent, team=team, customer=customer)
    approval = ask(case, agent, refund)
    assert approval.assigned_to == lead and _told("approval.requested") == {"lee"}

    # Level 1: the lead's 15 minutes run out -> one manager (the least loaded), the agent told,
    # and the customer hears that a manager decides and by when
    time_machine.move_to(T0 + datetime.timedelta(minutes=14, seconds=59), tick=False)
    assert escalate_overdue_approvals() == 0
    time_machine.move_to(T0 + datetime.timedelta(minutes=15), tick=False)
    assert escalate_overdue_approvals() == 1
    approval.refresh_from_db()
    assert (approval.level, approval.assigned_to) == (1, max_)
    assert _told() == {"max", "ava"}
    to_customer = CustomerMessage.objects.get(kind="update")
    assert to_customer.address == "pat@example.com" and "a manager's approval" in to_customer.body
    assert "10:25" in to_customer.body  # when the customer will hear: the manager's clock
    assert escalate_overdue_approvals() == 0  # a second tick, or a retried task: nothing twice

    # Level 2: the manager's 10 minutes run out -> every manager, the agent told again
    time_machine.move_to(T0 + datetime.timedelta(minutes=24, seconds=59), tick=False)
    assert escalate_overdue_approvals() == 0
    time_machine.move_to(T0 + datetime.timedelta(minutes=25), tick=False)
    assert escalate_overdue_approvals() == 1
    approval.refresh_from_db()
    assert (approval.level, approval.assigned_to, approval.next_escalation_at) == (2, None, None)
    assert _told() == {"max", "mia", "ava"}
    assert CustomerMessage.objects.filter(kind="update").count() == 1  # told once, not at each level

    # The last level has no clock: it waits on the managers' list, nobody is told again
    time_machine.move_to(T0 + datetime.timedelta(days=1), tick=False)
    assert escalate_overdue_approvals() == 0
    assert list(ApprovalEscalation.objects.values_list("level", "fired_at")) == [
        (1, T0 + datetime.timedelta(minutes=15)),
        (2, T0 + datetime.timedelta(minutes=25)),
    ]
    services.approval_decide(approval=approval, actor=mia, approve=True, reason="Fair.")
    assert approval.remedy.amount == 80


def test_without_a_lead_or_a_free_manager_it_goes_to_every_manager_at_once(
    caps, agent, team, refund, time_machine
):
    factories.UserFactory(username="max", role="manager")
    factories.UserFactory(username="mia", role="manager")
    time_machine.move_to(T0, tick=False)
    approval = ask(factories.open_case(actor=agent, team=team), agent, refund)
    assert _told("approval.requested") == {"max", "mia"}

    time_machine.move_to(T0 + datetime.timedelta(minutes=15), tick=False)
    assert escalate_overdue_approvals() == 1
    approval.refresh_from_db()
    # The lead level had no lead: the next is one manager, the one with the fewest waiting
    assert approval.level == 1 and approval.assigned_to.username == "max"
