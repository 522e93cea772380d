"""Systemic changes: a corrective action promoted to an improvement that answers many cases."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.events import record_event
from cases.models import Case, CorrectiveAction, Product
from cases.permissions import require_lead, require_work, visible_cases

from ..models import Improvement, ImprovementStatus


def improvement_promote(
    *,
    action: CorrectiveAction,
    actor,
    title: str,
    description: str = "",
    product: Product | None = None,
    owner=None,
    due_date: datetime.date | None = None,
) -> Improvement:
    """Turn a case's corrective action into an improvement linking every case (the actor may
    see) with the same root cause, and the same product when one is given."""
    require_lead(actor, "Improvements")
    case = action.case
    require_work(actor, case)
    why = getattr(case, "why", None)
    root_cause = why.root_cause if why is not None else None
    errors = {}
    if root_cause is None:
        errors["title"] = "The case needs a root cause (WHY) before its action can become an improvement."
    if not title.strip():
        errors["title"] = "Give the improvement a title."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        improvement = Improvement.objects.create(
            title=title.strip(),
            description=description.strip() or action.description,
            root_cause=root_cause,
            product=product,
            owner=owner or action.owner,
            due_date=due_date or action.due_date,
            created_from=action,
            created_by=actor,
            created_at=timezone.now(),
        )
        linked = visible_cases(actor).filter(why__root_cause=root_cause)
        if product is not None:
            linked = linked.filter(product=product)
        improvement.cases.add(*linked.values_list("pk", flat=True))
        record_event(
            case=case,
            kind="case.improvement.created",
            actor=actor,
            data={
                "improvement": improvement.pk,
                "title": improvement.title,
                "cases": improvement.cases.count(),
            },
        )
    return improvement


def improvement_set_status(
    *, improvement: Improvement, actor, status: str, completed_at: datetime.datetime | None = None
) -> Improvement:
    """`completed_at` records when a change went live if it is entered later (defaults to now)."""
    require_lead(actor, "Improvements")
    if status not in ImprovementStatus.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if completed_at is not None and (status != ImprovementStatus.DONE or completed_at > timezone.now()):
        raise ValidationError(
            {"completed_at": "Only a done improvement has a completion time, not in the future."}
        )
    with transaction.atomic():
        improvement = Improvement.objects.select_for_update().get(pk=improvement.pk)
        if improvement.status == status:
            return improvement
        improvement.status = status
        # The before/after measure pivots on this instant, so it moves only with "done".
        done = status == ImprovementStatus.DONE
        improvement.completed_at = (completed_at or timezone.now()) if done else None
        improvement.save(update_fields=["status", "completed_at"])
        if improvement.created_from_id:
            source = Case.objects.filter(corrective_actions=improvement.created_from_id).first()
            if source is not None:
                record_event(
                    case=source,
                    kind="case.improvement.updated",
                    actor=actor,
                    data={"improvement": improvement.pk, "status": status},
                )
    return improvement
