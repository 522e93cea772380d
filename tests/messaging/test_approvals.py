"""Approval requests tell the approver; decisions tell the agent who asked."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from cases.outbox import deliver_due
from remedies import services
from remedies.demo import install_default_caps
from remedies.models import ApprovalRequest
from sla.models import Notification
from tests.remedies.conftest import kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def caps(db):
    install_default_caps()


def give(case, actor, remedy_kind, amount):
    return services.remedy_give(
        case=case, actor=actor, kind=remedy_kind, amount=amount, currency="GBP", note="Sorry.",
        plus_one=False, confirmed_customer_total=True,
    )  # fmt: skip


def test_asking_for_approval_notifies_the_lead_in_the_app_and_by_email(caps, agent, lead, team, case):
    team.lead = lead
    team.save()
    lead.email = "lee@example.com"
    lead.save()

    approval = give(case, agent, kind("full_refund", "Full refund"), Decimal("80")).approval

    rows = Notification.objects.filter(recipient=lead, event__kind="approval.requested")
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "in_app"]
    assert deliver_due() == 1
    assert mail.outbox[0].to == ["lee@example.com"] and "80" in mail.outbox[0].subject
    assert not Notification.objects.filter(recipient=agent).exists()
    assert ApprovalRequest.objects.get() == approval


def test_a_decision_notifies_the_agent_who_asked_with_the_reason(caps, agent, lead, team, case):
    team.lead = lead
    team.save()
    approval = give(case, agent, kind("full_refund", "Full refund"), Decimal("80")).approval

    services.approval_decide(approval=approval, actor=lead, approve=False, reason="Already refunded.")

    notice = Notification.objects.get(recipient=agent, event__kind="approval.decided", channel="in_app")
    assert notice.subject == f"{case.reference}: your request was denied"
    assert "Already refunded." in notice.body


def test_the_approver_reads_the_deadline_on_the_clock_of_time_zone(
    caps, agent, lead, team, case, time_machine
):
    # 00:30 BST on 1 April is 23:30 UTC on 31 March: the approver must not read yesterday's date.
    time_machine.move_to(datetime.datetime(2027, 4, 1, 0, 30, tzinfo=ZoneInfo("Europe/London")), tick=False)
    team.lead = lead
    team.save()

    give(case, agent, kind("full_refund", "Full refund"), Decimal("80"))

    body = Notification.objects.get(recipient=lead, channel="in_app", event__kind="approval.requested").body
    assert "Decide by 2027-04-01 00:45 BST." in body
