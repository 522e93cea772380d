"""Demo follow-ups, survey answers and one completed improvement, through the services."""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from cases.models import CorrectiveAction

from . import services
from .models import Improvement

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


def seed_follow_up(world, case) -> bool:
    """The call back after the fix, as the replay reaches it: most recoveries work; a survey goes
    to every other customer reached, answered a few hours later."""
    i = world.counts.get("follow_ups", 0)
    world.counts["follow_ups"] = i + 1
    actor = case.owner or world.users["max"]
    outcome, retained = OUTCOMES[i % len(OUTCOMES)]
    services.follow_up_record(case=case, actor=actor, outcome=outcome, retained=retained, note=_note(outcome))
    if i % 2 == 0 and outcome != "still_unhappy" and case.customer.email:
        _invitation, token = services.survey_send(case=case, actor=actor, channel="email")
        score = SCORES[i // 2 % len(SCORES)]
        comment = "" if score > 2 else "Still not sorted."

        def answer():
            services.survey_answer(token=token, score=score, comment=comment)
            world.revisit(case.pk)  # a low score reopens the case

        world.at(world.now + datetime.timedelta(hours=world.rng.uniform(1, 30)), answer)
    return True


def seed_learning_loop(*, manager, rng: random.Random) -> None:
    """After the history: one improvement that went live two weeks ago."""
    if Improvement.objects.filter(status="done").exists():
        return
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
