"""`case_transition`: the one way a case moves on either track."""

from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import model_to_dict
from django.utils import timezone

from ..events import record_event
from ..models import Case, CorrectiveAction, Status
from ..permissions import is_lead, require_work
from ..workflow import Action, Facts, check
from .locking import case_lock


def case_facts(case: Case) -> Facts:
    """What the workflow guards need to know about a case, read from the database."""
    answers = {}
    for name in ("what", "why", "different"):
        answer = getattr(case, name, None)
        answers[name] = model_to_dict(answer) if answer is not None else {}
    counted = getattr(case, "live_corrective_actions", None)  # annotated by the write's lock
    if counted is None:
        counted = case.corrective_actions.exclude(status="cancelled").count()
    return Facts(status=case.status, triage_stage=case.triage_stage, corrective_actions=counted, **answers)


def _live_corrective_actions():
    return Subquery(
        CorrectiveAction.objects.filter(case=OuterRef("pk"))
        .exclude(status="cancelled")
        .values("case")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _apply(case: Case, action: Action, data: dict[str, Any], actor, now) -> list[str]:
    """Side fields each action sets; returns the fields it changed."""
    if action == Action.RESPOND:
        case.first_response = data["message"].strip()
        case.first_responded_at = case.first_responded_at or now
        changed = ["first_response", "first_responded_at"]
        if case.owner_id is None and actor is not None:
            case.owner = actor
            changed.append("owner")
        return changed
    if action == Action.RESOLVE:
        case.resolution = data["resolution"].strip()
        case.resolved_at = now
        return ["resolution", "resolved_at"]
    if action == Action.FOLLOW_UP:
        case.follow_up_note = data["note"].strip()
        case.followed_up_at = now
        return ["follow_up_note", "followed_up_at"]
    if action == Action.CLOSE:
        case.closed_at = now
        return ["closed_at"]
    if action == Action.REOPEN:
        case.reopen_count += 1
        case.resolved_at = case.followed_up_at = case.closed_at = None
        return ["reopen_count", "resolved_at", "followed_up_at", "closed_at"]
    return []


def case_transition(
    *,
    case: Case,
    action: Action | str,
    actor,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Check the table and guards, apply the move and record it, all in one transaction.

    Raises `TransitionError` naming what is missing, `PermissionDenied`, or `CaseChanged` when
    `expected_version` is stale.
    """
    action = Action(action)
    data = {key: value for key, value in (data or {}).items() if value not in (None, "")}
    with transaction.atomic():
        # Lock the case: two agents pressing buttons at once must not both move it.
        case = case_lock(
            case,
            expected_version=expected_version,
            related=("what", "why", "different"),
            annotate={"live_corrective_actions": Coalesce(_live_corrective_actions(), 0)},
        )
        require_work(actor, case)
        rule = check(action, case_facts(case), data, leads=is_lead(actor))
        now = timezone.now()
        before = getattr(case, rule.track)
        setattr(case, rule.track, rule.target)
        changed = _apply(case, action, data, actor, now)
        case.version += 1
        case.save(update_fields=[rule.track, "version", "updated_at", *changed])
        record_event(
            case=case,
            kind="case.transitioned",
            actor=actor,
            at=now,
            data={
                "action": action.value,
                "track": rule.track,
                "from": before,
                "to": rule.target,
                **{k: str(v) for k, v in data.items()},
            },
        )
        if rule.track == "status" and rule.target == Status.CLOSED:
            record_event(case=case, kind="case.closed", actor=actor, at=now)
    return case
