"""The case's state machine: two tracks, one transition table, guards that name what is missing.

Pure: no ORM, no I/O. Services build `Facts` from the database and call `check()`; the UI
asks `available_actions()` so it only offers what the server would accept. Work that does not
move a case (a remedy, a follow-up outcome, a survey) is allowed in some states only: `WORK`
says which, so nobody outside this module compares status strings to decide it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .models.case import Status, TriageStage


class Action(StrEnum):
    RESPOND = "respond"
    WAIT_ON_CUSTOMER = "wait_on_customer"
    CUSTOMER_REPLIED = "customer_replied"
    RESOLVE = "resolve"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REOPEN = "reopen"
    COMPLETE_WHAT = "complete_what"
    COMPLETE_WHY = "complete_why"
    COMPLETE_DIFFERENT = "complete_different"


class TransitionError(Exception):
    """The action is not allowed now; `problems` says why, in words a user can act on."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Facts:
    status: str
    triage_stage: str
    what: Mapping[str, Any] = field(default_factory=dict)
    why: Mapping[str, Any] = field(default_factory=dict)
    different: Mapping[str, Any] = field(default_factory=dict)
    corrective_actions: int = 0


Guard = Callable[[Facts], list[str]]


def what_missing(facts: Facts) -> list[str]:
    a = facts.what
    problems = []
    if not a.get("complaint"):
        problems.append("WHAT needs what the customer is unhappy about.")
    if not a.get("scope"):
        problems.append("WHAT needs whether the whole product or a part of it is affected.")
    elif a["scope"] == "part" and not a.get("part_affected"):
        problems.append("WHAT needs which part is affected.")
    if not a.get("journey_stage"):
        problems.append("WHAT needs the point of the journey where the customer became unhappy.")
    if not a.get("tried_before"):
        problems.append("WHAT needs whether the customer had already tried to get it fixed.")
    elif a["tried_before"] == "yes":
        if not a.get("prior_attempts"):
            problems.append("WHAT needs when and how the customer tried before.")
        if not a.get("why_not_enough"):
            problems.append("WHAT needs why our earlier answer was not enough.")
    return problems


def why_missing(facts: Facts) -> list[str]:
    a = facts.why
    problems = []
    if not a.get("root_cause"):
        problems.append("WHY needs a root cause.")
    if not a.get("explanation"):
        problems.append("WHY needs an explanation of the cause.")
    if not a.get("origin"):
        problems.append("WHY needs whether the problem is ours or a vendor's.")
    return problems


def different_missing(facts: Facts) -> list[str]:
    a = facts.different
    if a.get("no_change_needed"):
        if not a.get("no_change_reason"):
            return ["WHAT DIFFERENT needs the reason why no change is needed."]
        return []
    if facts.corrective_actions == 0:
        return ["WHAT DIFFERENT needs at least one corrective action, or 'no change needed' with its reason."]
    return []


def triage_done(facts: Facts) -> list[str]:
    if facts.triage_stage != TriageStage.DONE:
        stage = TriageStage(facts.triage_stage).label
        return [f"Closing needs the triage done; it is still at {stage}."]
    return []


@dataclass(frozen=True)
class Rule:
    label: str
    track: str  # the Case field this action moves: "status" or "triage_stage"
    sources: frozenset[str]
    target: str
    required_data: Mapping[str, str] = field(default_factory=dict)  # key -> what to ask for
    guards: tuple[Guard, ...] = ()
    leads_only: bool = False


RULES: dict[Action, Rule] = {
    Action.RESPOND: Rule(
        "Record first response",
        "status",
        frozenset({Status.NEW}),
        Status.RESPONDED,
        {"message": "the apology and ownership given to the customer"},
    ),
    Action.WAIT_ON_CUSTOMER: Rule(
        "Wait on customer",
        "status",
        frozenset({Status.RESPONDED}),
        Status.WAITING_ON_CUSTOMER,
        {"reason": "what we are waiting for from the customer"},
    ),
    Action.CUSTOMER_REPLIED: Rule(
        "Customer replied",
        "status",
        frozenset({Status.WAITING_ON_CUSTOMER}),
        Status.RESPONDED,
    ),
    Action.RESOLVE: Rule(
        "Resolve for the customer",
        "status",
        frozenset({Status.RESPONDED, Status.WAITING_ON_CUSTOMER}),
        Status.RESOLVED,
        {"resolution": "what was done for the customer"},
    ),
    Action.FOLLOW_UP: Rule(
        "Record follow-up",
        "status",
        frozenset({Status.RESOLVED}),
        Status.FOLLOWED_UP,
        {"note": "what the customer said when we followed up"},
    ),
    Action.CLOSE: Rule(
        "Close case",
        "status",
        frozenset({Status.RESOLVED, Status.FOLLOWED_UP}),
        Status.CLOSED,
        guards=(triage_done,),
    ),
    Action.REOPEN: Rule(
        "Reopen",
        "status",
        frozenset({Status.RESOLVED, Status.FOLLOWED_UP, Status.CLOSED}),
        Status.RESPONDED,
        {"reason": "why the case is reopened"},
    ),
    Action.COMPLETE_WHAT: Rule(
        "Complete WHAT, move to WHY",
        "triage_stage",
        frozenset({TriageStage.WHAT}),
        TriageStage.WHY,
        guards=(what_missing,),
    ),
    Action.COMPLETE_WHY: Rule(
        "Complete WHY, move to WHAT DIFFERENT",
        "triage_stage",
        frozenset({TriageStage.WHY}),
        TriageStage.DIFFERENT,
        guards=(why_missing,),
        leads_only=True,
    ),
    Action.COMPLETE_DIFFERENT: Rule(
        "Complete WHAT DIFFERENT",
        "triage_stage",
        frozenset({TriageStage.DIFFERENT}),
        TriageStage.DONE,
        guards=(different_missing,),
        leads_only=True,
    ),
}


def _current(facts: Facts, rule: Rule) -> str:
    return facts.status if rule.track == "status" else facts.triage_stage


def problems_with(action: Action, facts: Facts, data: Mapping[str, Any], *, leads: bool) -> list[str]:
    """Everything that stands in the way of `action`; empty when it may go ahead."""
    rule = RULES[action]
    if rule.leads_only and not leads:
        return [f"{rule.label} is for team leads and managers."]
    current = _current(facts, rule)
    if current not in rule.sources:
        allowed = ", ".join(sorted(rule.sources))
        return [f"'{rule.label}' is not possible from '{current}' (only from: {allowed})."]
    problems = [
        f"Please give {what}."
        for key, what in rule.required_data.items()
        if not str(data.get(key) or "").strip()
    ]
    for guard in rule.guards:
        problems.extend(guard(facts))
    return problems


def check(action: Action, facts: Facts, data: Mapping[str, Any], *, leads: bool) -> Rule:
    problems = problems_with(action, facts, data, leads=leads)
    if problems:
        raise TransitionError(problems)
    return RULES[action]


def available_actions(facts: Facts, *, leads: bool) -> list[Action]:
    """Actions whose source state matches now (guards on answers are checked on submit)."""
    return [
        action
        for action, rule in RULES.items()
        if _current(facts, rule) in rule.sources and (leads or not rule.leads_only)
    ]


def allows(action: Action, facts: Facts, *, leads: bool) -> bool:
    """Whether the table offers `action` now; answers are checked by its guards on submit.
    For the availability of a move, `Facts(status=..., triage_stage=...)` from a row is enough."""
    return action in available_actions(facts, leads=leads)


# The customer track is past the fix: follow-up outcomes and surveys belong here.
AFTER_FIX = frozenset({Status.RESOLVED, Status.FOLLOWED_UP, Status.CLOSED})


class Work(StrEnum):
    GIVE_REMEDY = "give_remedy"
    RECORD_OUTCOME = "record_outcome"
    SEND_SURVEY = "send_survey"


@dataclass(frozen=True)
class WorkRule:
    statuses: frozenset[str]
    refusal: str  # what to tell the user in any other state


WORK: dict[Work, WorkRule] = {
    # A resolved case may still need a gesture; a closed one is reopened first, so its
    # measures (cost, first-touch fix) stay as they were when it was closed.
    Work.GIVE_REMEDY: WorkRule(
        statuses=frozenset(Status) - {Status.CLOSED},
        refusal="The case is closed: reopen it before giving a remedy.",
    ),
    Work.RECORD_OUTCOME: WorkRule(
        statuses=AFTER_FIX, refusal="Follow up once the case is resolved for the customer."
    ),
    Work.SEND_SURVEY: WorkRule(
        statuses=AFTER_FIX, refusal="Send the survey once the case is resolved for the customer."
    ),
}


def work_problems(work: Work, facts: Facts) -> list[str]:
    rule = WORK[work]
    return [] if facts.status in rule.statuses else [rule.refusal]


def work_allowed(work: Work, facts: Facts) -> bool:
    return not work_problems(work, facts)


TRIAGE_ORDER = (TriageStage.WHAT, TriageStage.WHY, TriageStage.DIFFERENT, TriageStage.DONE)
_COMPLETES = {
    TriageStage.WHAT: Action.COMPLETE_WHAT,
    TriageStage.WHY: Action.COMPLETE_WHY,
    TriageStage.DIFFERENT: Action.COMPLETE_DIFFERENT,
}


def stage_reached(facts: Facts, stage: TriageStage) -> bool:
    """Whether the triage has got as far as `stage`: its answers may be written from then on."""
    return TRIAGE_ORDER.index(TriageStage(facts.triage_stage)) >= TRIAGE_ORDER.index(stage)


@dataclass(frozen=True)
class StageState:
    current: bool  # the triage is at this stage now
    reached: bool  # its answers may be written
    complete: Action | None  # the move out of it, when the table offers it to this user now


def triage_state(facts: Facts, *, leads: bool) -> dict[str, StageState]:
    """Each stage of the triage as the page shows it, keyed by stage value."""
    offered = available_actions(facts, leads=leads)
    return {
        stage.value: StageState(
            current=stage == facts.triage_stage,
            reached=stage_reached(facts, stage),
            complete=action if action in offered else None,
        )
        for stage, action in _COMPLETES.items()
    }
