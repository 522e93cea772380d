"""Who hears about an approval: the approver when it is asked, the agent when it is decided.

The remedies services pass these notices to `record_event`, so a request and the notice about it
commit together or not at all.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.events import Notice


def _approvers(approval) -> list:
    if approval.assigned_to_id:
        return [approval.assigned_to]
    if approval.case.team.lead_id:
        return [approval.case.team.lead]
    # No lead on the team: the managers decide, so none of them may miss it.
    users = get_user_model().objects.filter(is_active=True, role__in=["manager", "admin"])
    return list(users.order_by("pk"))


def approval_requested_notice(*, approval) -> Notice:
    case = approval.case
    # On the clock of TIME_ZONE: in UTC a London approver just after midnight would read yesterday.
    due = timezone.localtime(approval.due_at, timezone.get_default_timezone())
    return Notice(
        recipients=tuple(_approvers(approval)),
        subject=f"{case.reference}: approval asked for {approval.amount} {approval.currency}",
        body=(
            f"{approval.requested_by} asks to give {approval.kind} of {approval.amount} "
            f"{approval.currency} on {case.reference} ({case.summary}).\n"
            f"Why it needs you: {approval.reason}\nDecide by {due:%Y-%m-%d %H:%M %Z}."
        ),
    )


def approval_decided_notice(*, approval) -> Notice:
    case = approval.case
    verdict = approval.get_status_display().lower()
    reason = f"\nReason: {approval.decision_reason}" if getattr(approval, "decision_reason", "") else ""
    return Notice(
        recipients=(approval.requested_by,),
        subject=f"{case.reference}: your request was {verdict}",
        body=(
            f"{approval.decided_by} {verdict} {approval.kind} of {approval.amount} {approval.currency} "
            f"on {case.reference} ({case.summary}).{reason}"
        ),
    )
