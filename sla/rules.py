"""What starts, pauses and stops each clock, and the vocabulary of targets and escalations.

Pure: no ORM. The clock services read these tables; the UI reads the labels.
"""

import re
from dataclasses import dataclass, field

from django.db import models

from cases.workflow import Action


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    RESOLUTION = "resolution", "Resolution"
    FOLLOW_UP = "follow_up", "Follow-up"
    PERIODIC_UPDATE = "periodic_update", "Customer update"
    STAGE_WHAT = "stage_what", "WHAT answered"
    STAGE_WHY = "stage_why", "WHY answered"
    STAGE_DIFFERENT = "stage_different", "WHAT DIFFERENT answered"
    PROMISE = "promise", "Promise to the customer"
    CALLBACK = "callback", "Call-back to the customer"
    REG_ACKNOWLEDGE = "reg_acknowledge", "Regulatory acknowledgement"
    REG_SUMMARY = "reg_summary", "Regulatory summary resolution"
    REG_FINAL = "reg_final", "Regulatory final response"


class EscalationBase(models.TextChoices):
    WARNING = "warning", "first warning"
    BREACH = "breach", "breach"


class EscalationAction(models.TextChoices):
    NOTIFY_OWNER = "notify_owner", "Notify the owner"
    NOTIFY_LEAD = "notify_lead", "Notify the team lead"
    REASSIGN_LEAD = "reassign_lead", "Reassign to the team lead"
    NOTIFY_MANAGER = "notify_manager", "Notify the managers"
    RAISE_SEVERITY = "raise_severity", "Raise the severity"


@dataclass(frozen=True)
class Effects:
    stop: frozenset[str] = frozenset()
    cancel: frozenset[str] = frozenset()
    start: frozenset[str] = frozenset()
    pause: frozenset[str] = frozenset()
    resume: frozenset[str] = frozenset()
    restart: frozenset[str] = frozenset()  # stop the running one (met) and start a fresh one


K = ClockKind
# Clocks a person sets for one moment (a promise, a booked call-back): no policy targets them, so
# a re-target leaves them as they are.
APPOINTED = frozenset({ClockKind.PROMISE, ClockKind.CALLBACK})
ON_OPEN = frozenset(
    {K.FIRST_RESPONSE, K.RESOLUTION, K.STAGE_WHAT, K.REG_ACKNOWLEDGE, K.REG_SUMMARY, K.REG_FINAL}
)
ON_ACTION: dict[Action, Effects] = {
    Action.RESPOND: Effects(
        stop=frozenset({K.FIRST_RESPONSE, K.REG_ACKNOWLEDGE}), restart=frozenset({K.PERIODIC_UPDATE})
    ),
    Action.WAIT_ON_CUSTOMER: Effects(pause=frozenset({K.RESOLUTION}), stop=frozenset({K.PERIODIC_UPDATE})),
    Action.CUSTOMER_REPLIED: Effects(
        resume=frozenset({K.RESOLUTION}), restart=frozenset({K.PERIODIC_UPDATE})
    ),
    Action.RESOLVE: Effects(
        stop=frozenset({K.RESOLUTION, K.PERIODIC_UPDATE, K.REG_SUMMARY, K.REG_FINAL}),
        start=frozenset({K.FOLLOW_UP}),
    ),
    Action.FOLLOW_UP: Effects(stop=frozenset({K.FOLLOW_UP})),
    Action.CLOSE: Effects(cancel=frozenset({K.FOLLOW_UP, K.PROMISE, K.PERIODIC_UPDATE})),
    Action.REOPEN: Effects(
        cancel=frozenset({K.FOLLOW_UP}),
        start=frozenset({K.RESOLUTION}),
        restart=frozenset({K.PERIODIC_UPDATE}),
    ),
    Action.COMPLETE_WHAT: Effects(stop=frozenset({K.STAGE_WHAT}), start=frozenset({K.STAGE_WHY})),
    Action.COMPLETE_WHY: Effects(stop=frozenset({K.STAGE_WHY}), start=frozenset({K.STAGE_DIFFERENT})),
    Action.COMPLETE_DIFFERENT: Effects(stop=frozenset({K.STAGE_DIFFERENT})),
}
# Severity goes up one step at a time when an escalation raises it.
SEVERITY_UP = {"low": "medium", "medium": "high", "high": "critical", "critical": "critical"}

_WARNING = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|m|min|h)?\s*$")


def parse_warnings(text: str) -> list[dict]:
    """'50%, 90%, 15m, 2h' -> [{'percent': 50}, {'percent': 90}, {'before': 15}, {'before': 120}].

    A share of the target, or minutes (m) or hours (h) before the due time. Raises ValueError
    with a readable message on anything else.
    """
    steps = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _WARNING.match(part)
        if not match:
            raise ValueError(f"'{part}' is not a warning: write 50% or 15m or 2h.")
        value, unit = float(match.group(1)), match.group(2)
        if unit == "%":
            if not 0 < value < 100:
                raise ValueError(f"'{part}': a share must be between 0% and 100%.")
            steps.append({"percent": value})
        elif unit in ("m", "min", "h"):
            minutes = value * 60 if unit == "h" else value
            if minutes <= 0:
                raise ValueError(f"'{part}': minutes before due must be more than 0.")
            steps.append({"before": minutes})
        else:
            raise ValueError(f"'{part}' needs a unit: % of the target, m or h before due.")
    return steps


def format_warnings(steps: list[dict]) -> str:
    parts = []
    for step in steps:
        if "percent" in step:
            parts.append(f"{step['percent']:g}%")
        else:
            parts.append(f"{step['before']:g}m")
    return ", ".join(parts)


def warning_minutes(steps: list[dict], target_minutes: float) -> list[float]:
    """Business minutes after the start at which each warning falls, earliest first."""
    points = set()
    for step in steps:
        if "percent" in step:
            points.add(target_minutes * step["percent"] / 100)
        else:
            points.add(max(0.0, target_minutes - step["before"]))
    return sorted(p for p in points if p < target_minutes)


@dataclass(frozen=True)
class TargetSpec:
    kind: str
    minutes: int
    business_hours: bool = True
    warnings: tuple = ({"percent": 50}, {"percent": 90})
    steps: tuple = ()  # (level, base, offset_minutes, action)


@dataclass(frozen=True)
class PolicySpec:
    name: str
    kind: str = "operational"
    severity: str = ""
    channel: str = ""
    is_default: bool = False
    active: bool = True
    description: str = ""
    targets: tuple = field(default_factory=tuple)
