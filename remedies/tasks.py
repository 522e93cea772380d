from celery import shared_task

from .escalation import approvals_escalate_due


@shared_task(acks_late=True, ignore_result=True)
def escalate_overdue_approvals() -> int:
    return approvals_escalate_due()
