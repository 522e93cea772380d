"""Demo follow-ups, survey answers and one completed improvement, through the services."""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CorrectiveAction, Status
from cases.services import case_transition
from cases.workflow import AFTER_FIX, Action

from . import services
from .models import FollowUpOutcome

# (outcome, retained) in turn: most recoveries work; some customers cannot be reached or leave.
OUTCOMES = [
    ("satisfied", "yes"),
    ("no_answer", "unknown"),
    ("satisfied", "yes"),
    ("still_unhappy", "no"),
    ("satisfied", "yes"),
    ("satisfied", "unknown"),
    ("satisfied", "yes"),
]
SCORES = [5, 5, 4, 4, 4, 3, 2]


def seed_learning_loop(*, manager, rng: random.Random) -> None:
    if FollowUpOutcome.objects.exists():
        return
    # Some cases passed to the lead get fixed there: first-touch resolution is then below 100 %.
    handed = list(Case.objects.filter(handoff_count__gt=0, status=Status.RESPONDED).order_by("id"))
    for case in handed[::2]:
        case_transition(
            case=case,
            action=Action.RESOLVE,
            actor=case.owner,
            data={"resolution": "The lead refunded in full and called the customer."},
        )
    fixed = list(Case.objects.filter(status__in=AFTER_FIX).select_related("owner", "customer").order_by("id"))
    for i, case in enumerate(fixed):
        if i % 3 == 2:
            continue  # some customers have not been called back yet
        actor = case.owner or manager
        outcome, retained = OUTCOMES[i % len(OUTCOMES)]
        services.follow_up_record(
            case=case, actor=actor, outcome=outcome, retained=retained, note=_note(outcome)
        )
        if i % 2 == 0 and outcome != "still_unhappy" and case.customer.email:
            _invitation, token = services.survey_send(case=case, actor=actor, channel="email")
            score = SCORES[i // 2 % len(SCORES)]
            services.survey_answer(token=token, score=score, comment="" if score > 2 else "Still not sorted.")
    _completed_improvement(manager)


def _note(outcome: str) -> str:
    return {
        "satisfied": "Happy with the fix, will order again.",
        "no_answer": "Called twice, left a voicemail.",
        "still_unhappy": "Says the replacement was wrong too.",
    }[outcome]


def _completed_improvement(manager) -> None:
    action = (
        CorrectiveAction.objects.filter(~Q(case__why__root_cause=None))
        .select_related("case__why__root_cause")
        .order_by("id")
        .first()
    )
    if action is None:
        return
    improvement = services.improvement_promote(
        action=action,
        actor=manager,
        title=f"Fix for: {action.case.why.root_cause.name}",
        description="Changed the process so this cause cannot repeat; checked weekly.",
    )
    services.improvement_set_status(
        improvement=improvement,
        actor=manager,
        status="done",
        completed_at=timezone.now() - datetime.timedelta(days=14),
    )
