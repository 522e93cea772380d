"""Recording the triage answers: WHAT happened, WHY, WHAT we do DIFFERENT.

Answers may be saved as drafts and corrected later; each save lands on the timeline with
what changed. A stage's answers can only be written once the case has reached that stage.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ..events import plain, record_event
from ..models import (
    ActionStatus,
    Case,
    CorrectiveAction,
    DifferentAnswer,
    TriageStage,
    WhatAnswer,
    WhyAnswer,
)
from ..permissions import require_lead, require_work
from ..selectors import row_facts
from ..workflow import stage_reached
from .locking import case_lock


def _require_stage_reached(case: Case, stage: TriageStage) -> None:
    if not stage_reached(row_facts(case), stage):
        raise ValidationError(
            f"{stage.label} cannot be answered yet: finish {TriageStage(case.triage_stage).label} first."
        )


def _save_answers(
    *, case: Case, model: type[models.Model], stage: TriageStage, actor, answers: dict[str, Any]
) -> models.Model:
    answer, _ = model.objects.get_or_create(case=case)
    editable = {f.name for f in model._meta.concrete_fields} - {"id", "case", "updated_at"}
    unknown = set(answers) - editable - {f"{f}_id" for f in editable}
    if unknown:
        raise ValidationError(f"Unknown answers: {', '.join(sorted(unknown))}.")
    changes = {}
    for name, value in answers.items():
        old = getattr(answer, name)
        if old != value:
            changes[name.removesuffix("_id")] = [plain(old), plain(value)]
            setattr(answer, name, value)
    answer.full_clean(exclude=["case"])
    if changes:
        answer.save()
        case.version += 1  # a triage answer is a change: a stale form of it must be refused
        case.save(update_fields=["version", "updated_at"])
        record_event(
            case=case,
            kind=f"case.triage.{stage.value}_recorded",
            actor=actor,
            data={"changes": changes},
        )
    return answer


def triage_record_what(
    *, case: Case, actor, answers: dict[str, Any], expected_version: int | None = None
) -> WhatAnswer:
    with transaction.atomic():
        case = case_lock(case, expected_version=expected_version)
        require_work(actor, case)
        return _save_answers(
            case=case, model=WhatAnswer, stage=TriageStage.WHAT, actor=actor, answers=answers
        )


def triage_record_why(
    *, case: Case, actor, answers: dict[str, Any], expected_version: int | None = None
) -> WhyAnswer:
    with transaction.atomic():
        case = case_lock(case, expected_version=expected_version)
        require_work(actor, case)
        require_lead(actor, "WHY")
        _require_stage_reached(case, TriageStage.WHY)
        return _save_answers(case=case, model=WhyAnswer, stage=TriageStage.WHY, actor=actor, answers=answers)


def triage_record_different(
    *, case: Case, actor, answers: dict[str, Any], expected_version: int | None = None
) -> DifferentAnswer:
    with transaction.atomic():
        case = case_lock(case, expected_version=expected_version)
        require_work(actor, case)
        require_lead(actor, "WHAT DIFFERENT")
        _require_stage_reached(case, TriageStage.DIFFERENT)
        return _save_answers(
            case=case, model=DifferentAnswer, stage=TriageStage.DIFFERENT, actor=actor, answers=answers
        )


def corrective_action_add(
    *, case: Case, actor, description: str, owner, due_date: datetime.date
) -> CorrectiveAction:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_work(actor, case)
        require_lead(actor, "Corrective actions")
        _require_stage_reached(case, TriageStage.DIFFERENT)
        errors = {}
        if not description.strip():
            errors["description"] = "Describe the change to make."
        if due_date < timezone.localdate():
            errors["due_date"] = "The due date cannot be in the past."
        if errors:
            raise ValidationError(errors)
        action = CorrectiveAction.objects.create(
            case=case, description=description.strip(), owner=owner, due_date=due_date, created_by=actor
        )
        record_event(
            case=case,
            kind="case.corrective_action.added",
            actor=actor,
            data={
                "id": action.pk,
                "description": action.description,
                "owner": owner.pk,
                "due_date": due_date,
            },
        )
    return action


def corrective_action_set_status(*, action: CorrectiveAction, actor, status: str) -> CorrectiveAction:
    with transaction.atomic():
        action = CorrectiveAction.objects.select_for_update().select_related("case").get(pk=action.pk)
        require_work(actor, action.case)
        require_lead(actor, "Corrective actions")
        if status not in ActionStatus.values:
            raise ValidationError({"status": f"Unknown status {status!r}."})
        before = action.status
        action.status = status
        action.completed_at = timezone.now() if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "completed_at"])
        record_event(
            case=action.case,
            kind="case.corrective_action.updated",
            actor=actor,
            data={"id": action.pk, "from": before, "to": status},
        )
    return action
