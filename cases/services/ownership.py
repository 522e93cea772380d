"""One owner at a time; every hand-off is recorded with its reason and counted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..events import record_event
from ..models import Case, Handoff
from ..permissions import require_work
from .locking import case_lock


def case_assign(
    *, case: Case, to_owner, actor, reason: str = "", to_team=None, expected_version: int | None = None
) -> Case:
    """Give the case to `to_owner` (optionally in another team).

    Taking an unowned case is an assignment; moving it from one owner to another is a
    hand-off, which needs a reason and is counted on the case.
    """
    with transaction.atomic():
        case = case_lock(case, expected_version=expected_version)
        require_work(actor, case)
        team = to_team or case.team
        if not to_owner.works_in(team):
            raise ValidationError({"to_owner": f"{to_owner} is not in team {team}."})
        if case.owner_id == to_owner.pk and team.pk == case.team_id:
            raise ValidationError({"to_owner": f"{to_owner} already owns this case."})
        is_handoff = case.owner_id is not None
        if is_handoff and not reason.strip():
            raise ValidationError({"reason": "Say why the case is handed off."})
        now = timezone.now()
        before = {"owner": case.owner_id, "team": case.team_id}
        case.owner = to_owner
        case.team = team
        case.version += 1
        fields = ["owner", "team", "version", "updated_at"]
        if is_handoff:
            case.handoff_count += 1
            fields.append("handoff_count")
            Handoff.objects.create(
                case=case,
                from_owner_id=before["owner"],
                to_owner=to_owner,
                reason=reason.strip(),
                actor=actor,
                created_at=now,
            )
        case.save(update_fields=fields)
        record_event(
            case=case,
            kind="case.handed_off" if is_handoff else "case.assigned",
            actor=actor,
            at=now,
            data={
                "from": before,
                "to": {"owner": to_owner.pk, "team": team.pk},
                "reason": reason.strip(),
            },
        )
    return case
