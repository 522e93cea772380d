"""Internal notes and edits of a case's details."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..events import plain, record_event
from ..models import Case
from ..permissions import require_work
from .locking import case_lock

EDITABLE_FIELDS = {
    "summary",
    "description",
    "severity",
    "product",
    "journey_stage",
    "source_reference",
    "channel",
}


def case_add_note(*, case: Case, actor, text: str, expected_version: int | None = None) -> None:
    if not text.strip():
        raise ValidationError({"text": "The note is empty."})
    with transaction.atomic():
        case = case_lock(case, expected_version=expected_version)
        require_work(actor, case)
        record_event(case=case, kind="case.note.added", actor=actor, data={"text": text.strip()})


def case_update(*, case: Case, actor, changes: dict[str, Any], expected_version: int | None = None) -> Case:
    """Change a case's details; the timeline keeps each field's before and after."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        case = case_lock(case, expected_version=expected_version)
        require_work(actor, case)
        diff = {}
        for name, value in changes.items():
            old = getattr(case, name)
            if old != value:
                diff[name] = [plain(old), plain(value)]
                setattr(case, name, value)
        if not diff:
            return case
        case.full_clean(exclude=["customer", "team", "owner", "created_by", "reference"])
        case.version += 1
        case.save(update_fields=[*diff, "version", "updated_at"])
        record_event(case=case, kind="case.updated", actor=actor, data={"changes": diff})
    return case
