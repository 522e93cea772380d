"""The desk's own writes: saved queue views, and bulk work that goes case by case through the
ordinary services, so each case is checked by the workflow and one refusal stops nothing else."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ..models import Case, SavedView
from ..permissions import visible_cases
from ..workflow import RULES, Action, TransitionError
from .locking import CaseChanged
from .ownership import case_assign
from .transitions import case_transition

# Only these queue parameters are kept in a saved view: nothing else rides along.
VIEW_PARAMS = ("status", "stage", "team", "unassigned", "sort")
BULK_LIMIT = 100


def saved_view_save(*, user, name: str, params: dict) -> SavedView:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > 60:
        raise ValidationError({"name": "Keep the name under 60 characters."})
    kept = urlencode([(k, params[k]) for k in VIEW_PARAMS if params.get(k)])
    view, _created = SavedView.objects.update_or_create(
        user=user, name=name, defaults={"params": kept, "created_at": timezone.now()}
    )
    return view


def saved_view_delete(*, user, pk: int) -> None:
    deleted, _ = SavedView.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise ValidationError({"view": "No such saved view."})


@dataclass(frozen=True)
class BulkResult:
    reference: str
    ok: bool
    message: str


def _problems(exc: Exception) -> str:
    if isinstance(exc, TransitionError):
        return " ".join(exc.problems)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "Not allowed."


def _each(actor, references: list[str], work) -> list[BulkResult]:
    if not references:
        raise ValidationError({"cases": "Tick at least one case."})
    if len(references) > BULK_LIMIT:
        raise ValidationError({"cases": f"At most {BULK_LIMIT} cases at once."})
    found = {c.reference: c for c in visible_cases(actor).filter(reference__in=references)}
    results = []
    for ref in dict.fromkeys(references):
        case = found.get(ref)
        if case is None:
            results.append(BulkResult(ref, False, "Not a case you can see."))
            continue
        try:
            results.append(BulkResult(ref, True, work(case)))
        except (TransitionError, ValidationError, PermissionDenied, CaseChanged) as exc:
            results.append(BulkResult(ref, False, _problems(exc)))
    return results


def bulk_assign(*, actor, references: list[str], to_owner, reason: str = "") -> list[BulkResult]:
    """Give each case to `to_owner`, each through `case_assign` (a hand-off needs its reason)."""

    def work(case: Case) -> str:
        case_assign(case=case, to_owner=to_owner, actor=actor, reason=reason)
        return f"Now owned by {to_owner}."

    return _each(actor, references, work)


def bulk_transition(*, actor, references: list[str], action: str, text: str = "") -> list[BulkResult]:
    """Move each case with `action`, each through `case_transition`; `text` fills what the
    action asks for (the message, the resolution, the reason)."""
    if action not in {a.value for a in Action}:
        raise ValidationError({"action": "Choose what to do."})
    rule = RULES[Action(action)]
    data = dict.fromkeys(rule.required_data, text)

    def work(case: Case) -> str:
        case_transition(case=case, action=action, actor=actor, data=data)
        return f"{rule.label}: done."

    return _each(actor, references, work)
