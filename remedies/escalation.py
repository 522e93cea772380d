"""The approval clock, level by level: the team lead, then a manager, then every manager.

A request still pending when its level's clock runs out climbs one level: it is assigned to the
next decider, they and the agent who asked are notified, and (at the first climb) the customer
is told that a manager is deciding and when they will hear. The last level has no clock: the
request stays on every manager's list until one decides. Never a dead end, never silent.

Short and idempotent: a bounded batch claimed with SKIP LOCKED, each climb flipped by
compare-and-set on (status, level) and written as a unique `ApprovalEscalation(approval, level)`
row in the same transaction as its event and outbox rows, so two sweeps (or a retried task)
climb and notify once.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, User
from cases.events import Notice, record_event
from messaging.models import MessageKind
from messaging.services import message_send_automatic

from .models import ApprovalEscalation, ApprovalLevel, ApprovalRequest, ApprovalStatus

BATCH = 200


def _managers() -> list[User]:
    return list(User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.ADMIN]).order_by("id"))


def _manager_on_duty(managers: list[User]) -> User | None:
    """The manager with the fewest pending approvals assigned: load spreads, ties by id."""
    if not managers:
        return None
    pending = (
        ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING, assigned_to__in=managers)
        .values("assigned_to")
        .annotate(n=Count("id"))
    )
    load = {row["assigned_to"]: row["n"] for row in pending}
    return min(managers, key=lambda m: (load.get(m.pk, 0), m.pk))


def _local(instant: datetime.datetime) -> str:
    return f"{timezone.localtime(instant, timezone.get_default_timezone()):%Y-%m-%d %H:%M %Z}"


def _climb_to(approval: ApprovalRequest) -> tuple[int, User | None, list[User]]:
    """The next level, who it is assigned to, and who must decide at it."""
    managers = _managers()
    level = approval.level + 1
    if level == ApprovalLevel.MANAGER:
        duty = _manager_on_duty([m for m in managers if m.pk != approval.requested_by_id])
        if duty is not None:
            return level, duty, [duty]
        level = ApprovalLevel.ANY_MANAGER  # nobody to take it alone: every manager at once
    return level, None, [m for m in managers if m.pk != approval.requested_by_id]


def _notice(approval: ApprovalRequest, level: int, deciders: list[User], next_at, now) -> Notice:
    case = approval.case
    waited = approval.assigned_to or "the team lead"
    to = ApprovalLevel(level).label if level == ApprovalLevel.ANY_MANAGER or not deciders else deciders[0]
    then = (
        f"Decide by {_local(next_at)}, or it goes to every manager."
        if next_at
        else "It stays on every manager's approvals list until one of you decides."
    )
    return Notice(
        recipients=(*deciders, approval.requested_by),
        subject=f"{case.reference}: approval escalated to {to}",
        body=(
            f"{approval.requested_by} asked to give {approval.kind} of {approval.amount} {approval.currency} "
            f"on {case.reference} ({case.summary}). {waited} did not decide by {_local(approval.due_at)}, "
            f"so it now waits on {to}.\nWhy it needs approval: {approval.reason}\n{then}\n"
            f"Meanwhile the customer has been told a manager is deciding. "
            f"Open the case: {settings.SITE_URL}/cases/{case.reference}/#remedies"
        ),
    )


def _tell_customer(approval: ApprovalRequest, answer_by: datetime.datetime) -> bool:
    message = message_send_automatic(
        case=approval.case,
        kind=MessageKind.UPDATE,
        subject=f"Your case {approval.case.reference}: an update",
        body=(
            "Hello {first_name},\n\nWhat we want to offer you needs a manager's approval, and we have "
            f"asked one to decide. You will hear from us by {_local(answer_by)}.\n"
        ),
    )
    return message is not None


def approval_escalate(*, approval: ApprovalRequest, now: datetime.datetime) -> ApprovalEscalation | None:
    """Climb one level (the caller holds the row's lock); None when someone else already did."""
    level, assignee, deciders = _climb_to(approval)
    last = level >= ApprovalLevel.ANY_MANAGER
    next_at = None if last else now + datetime.timedelta(minutes=settings.APPROVAL_ESCALATION_MINUTES)
    won = ApprovalRequest.objects.filter(
        pk=approval.pk, status=ApprovalStatus.PENDING, level=approval.level
    ).update(
        level=level,
        assigned_to=assignee,
        next_escalation_at=next_at,
        escalated_at=approval.escalated_at or now,
    )
    if not won:
        return None
    due = approval.next_escalation_at or approval.due_at
    told_customer = approval.level == ApprovalLevel.LEAD and _tell_customer(
        approval, next_at or now + datetime.timedelta(minutes=settings.APPROVAL_ESCALATION_MINUTES)
    )
    escalation = ApprovalEscalation.objects.create(
        approval=approval,
        level=level,
        due_at=due,
        fired_at=now,
        assigned_to=assignee,
        notified=[u.pk for u in (*deciders, approval.requested_by)],
    )
    record_event(
        case=approval.case,
        kind="approval.escalated",
        at=now,
        data={
            "approval": approval.pk,
            "from": approval.assigned_to_id,
            "from_level": approval.level,
            "level": level,
            "to": assignee.pk if assignee else None,
            "notified": escalation.notified,
            "customer_told": told_customer,
            "due_at": due,
            "next_escalation_at": next_at,
            "late_by_seconds": int((now - due).total_seconds()),
        },
        notice=_notice(approval, level, deciders, next_at, now),
    )
    return escalation


def approvals_escalate_due(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Climb every request whose level's clock has run out, one level each; returns how many."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                ApprovalRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=ApprovalStatus.PENDING, next_escalation_at__lte=now)
                .select_related("case__customer", "case__team", "kind", "requested_by", "assigned_to")
                .order_by("next_escalation_at", "id")[:batch]
            )
            total += sum(1 for approval in due if approval_escalate(approval=approval, now=now))
        if len(due) < batch:
            return total
