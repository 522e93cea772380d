"""The approval clock: a request still pending at `due_at` goes to the managers.

Short and idempotent: a bounded batch claimed with SKIP LOCKED, each request flipped by
compare-and-set, so two sweeps (or a retried task) escalate a request once.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cases.events import record_event

from .models import ApprovalRequest, ApprovalStatus

BATCH = 200


def approvals_escalate_due(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Escalate every overdue request; returns how many were escalated."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                ApprovalRequest.objects.select_for_update(skip_locked=True)
                .filter(status=ApprovalStatus.PENDING, escalated_at__isnull=True, due_at__lte=now)
                .select_related("case")
                .order_by("due_at", "id")[:batch]
            )
            for approval in due:
                won = ApprovalRequest.objects.filter(
                    pk=approval.pk, status=ApprovalStatus.PENDING, escalated_at__isnull=True
                ).update(escalated_at=now, assigned_to=None)
                if won:
                    total += 1
                    record_event(
                        case=approval.case,
                        kind="approval.escalated",
                        at=now,
                        data={
                            "approval": approval.pk,
                            "from": approval.assigned_to_id,
                            "due_at": approval.due_at,
                            "late_by_seconds": int((now - approval.due_at).total_seconds()),
                        },
                    )
        if len(due) < batch:
            return total
