"""Follow-up after the fix, and the recovery follow-up when the customer is still unhappy."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.events import Notice, record_event
from cases.models import Case
from cases.permissions import require_work
from cases.selectors import can, row_facts
from cases.services import case_assign, case_lock, case_transition
from cases.workflow import Action, Work, work_problems

from ..models import FollowUpOutcome, Outcome, Retained


def _owner_is_gone(case: Case) -> bool:
    owner = case.owner
    if owner is None or not owner.is_active:
        return True
    return not (owner.sees_all_teams or owner.teams.filter(pk=case.team_id).exists())


def _can_take(user, case: Case) -> bool:
    if user is None or not user.is_active or user.pk == case.owner_id:
        return False
    return user.sees_all_teams or user.teams.filter(pk=case.team_id).exists()


def _still_unhappy_notice(case: Case, lead, reason: str) -> Notice:
    """The owner and the lead hear at once; the reopened case's resolution clock is the recovery
    clock they now work against."""
    return Notice(
        recipients=tuple(u for u in (case.owner, lead) if u is not None),
        subject=f"{case.reference}: the customer is still unhappy",
        body=(
            f"{case.customer.name} is still unhappy after the fix on {case.reference} ({case.summary}).\n"
            f"{reason}\nThe case is open again and its resolution clock is running.\n"
            f"Open the case: {settings.SITE_URL}/cases/{case.reference}/"
        ),
    )


def recovery_follow_up_open(*, case: Case, actor, trigger: str, reason: str) -> Case:
    """The customer is still unhappy after the fix: reopen the case at once.

    The owner keeps it (they know the customer); when the owner has left the team, the team
    lead takes it. The event names the lead to notify; the notification outbox reads it.
    """
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner", "team__lead", "customer")
            .get(pk=case.pk)
        )
        if can(case, Action.REOPEN, user=actor):
            case = case_transition(case=case, action=Action.REOPEN, actor=actor, data={"reason": reason})
        lead = case.team.lead
        if _owner_is_gone(case) and _can_take(lead, case):
            # The system hands it over: a departed owner is not anyone's choice to pass it on.
            case = case_assign(
                case=case,
                to_owner=lead,
                actor=None,
                reason="Recovery follow-up: the owner has left the team.",
            )
        record_event(
            case=case,
            kind="case.recovery_follow_up",
            actor=actor,
            data={
                "trigger": trigger,
                "reason": reason,
                "owner": case.owner_id,
                "notify": lead.pk if lead else None,
            },
            notice=_still_unhappy_notice(case, lead, reason),
        )
    return case


def follow_up_record(
    *,
    case: Case,
    actor,
    outcome: str,
    retained: str = Retained.UNKNOWN,
    note: str = "",
    expected_version: int | None = None,
) -> FollowUpOutcome:
    """Record what the customer said after the fix; the first one moves the case to Followed up.

    `CaseChanged` when `expected_version` (the case as the agent saw it) is stale."""
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = f"Unknown outcome {outcome!r}."
    if retained not in Retained.values:
        errors["retained"] = f"Unknown answer {retained!r}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = case_lock(case, expected_version=expected_version)
        require_work(actor, case)
        if problems := work_problems(Work.RECORD_OUTCOME, row_facts(case)):
            raise ValidationError(problems)
        now = timezone.now()
        record = FollowUpOutcome.objects.create(
            case=case,
            outcome=outcome,
            retained=retained,
            note=note.strip(),
            recorded_by=actor,
            recorded_at=now,
        )
        record_event(
            case=case,
            kind="case.follow_up.recorded",
            actor=actor,
            at=now,
            data={"id": record.pk, "outcome": outcome, "retained": retained, "note": record.note},
        )
        if can(case, Action.FOLLOW_UP, user=actor):  # the first outcome moves the case on
            text = record.note or Outcome(outcome).label
            case = case_transition(case=case, action=Action.FOLLOW_UP, actor=actor, data={"note": text})
        if outcome == Outcome.STILL_UNHAPPY:
            recovery_follow_up_open(
                case=case,
                actor=actor,
                trigger="follow_up",
                reason=f"Still unhappy at follow-up. {record.note}".strip(),
            )
    return record
