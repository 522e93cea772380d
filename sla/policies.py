"""The policies every installation starts with, and the regulatory templates a manager can switch on.

Figures follow the sources: live complaints get a first response within the first minute,
every other channel the same business day; the regulators' own deadlines for the templates.
"""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import BusinessCalendar, EscalationStep, Policy, PolicyKind, Target
from .rules import ClockKind as K
from .rules import PolicySpec, TargetSpec

OFFICE_HOURS = "Office hours (London)"
BUSINESS_DAY = 8 * 60  # business minutes in one 9-to-5 day

# (level, base, offset minutes, action)
STANDARD_CHAIN = (
    (1, "breach", 0, "notify_lead"),
    (2, "breach", 60, "reassign_lead"),
    (3, "breach", 240, "notify_manager"),
)
LIVE_CHAIN = (
    (1, "warning", 0, "notify_owner"),
    (2, "breach", 0, "notify_lead"),
    (3, "breach", 2, "reassign_lead"),
    (4, "breach", 5, "notify_manager"),
)
URGENT_CHAIN = (
    (1, "warning", 0, "notify_lead"),
    (2, "breach", 0, "notify_manager"),
    (3, "breach", 30, "raise_severity"),
)
PROMISE = TargetSpec(
    K.PROMISE, 0, False, ({"percent": 50}, {"percent": 90}), ((1, "breach", 0, "notify_lead"),)
)


def _common(first_response: TargetSpec, resolution_minutes: int) -> tuple:
    return (
        first_response,
        TargetSpec(K.RESOLUTION, resolution_minutes, steps=STANDARD_CHAIN),
        TargetSpec(
            K.PERIODIC_UPDATE,
            BUSINESS_DAY,
            warnings=({"before": 60},),
            steps=((1, "breach", 0, "notify_owner"),),
        ),
        TargetSpec(K.FOLLOW_UP, 2 * BUSINESS_DAY, steps=((1, "breach", 0, "notify_owner"),)),
        TargetSpec(K.STAGE_WHAT, BUSINESS_DAY, steps=((1, "breach", 0, "notify_owner"),)),
        TargetSpec(K.STAGE_WHY, 5 * BUSINESS_DAY, steps=((1, "breach", 0, "notify_lead"),)),
        TargetSpec(K.STAGE_DIFFERENT, 10 * BUSINESS_DAY, steps=((1, "breach", 0, "notify_manager"),)),
        PROMISE,
    )


def _live(channel: str, label: str) -> PolicySpec:
    return PolicySpec(
        name=f"Live: {label}",
        channel=channel,
        description="A live complaint is answered within the first minute, day or night.",
        targets=_common(TargetSpec(K.FIRST_RESPONSE, 1, False, steps=LIVE_CHAIN), BUSINESS_DAY),
    )


def live_policy(channel: str, label: str) -> PolicySpec:
    """The first-minute policy for another live channel (conversations' public posts)."""
    return _live(channel, label)


DEFAULTS = (
    PolicySpec(
        name="Standard",
        is_default=True,
        description="Any case no other policy matches: an answer the same business day.",
        targets=_common(TargetSpec(K.FIRST_RESPONSE, 4 * 60, steps=STANDARD_CHAIN), 3 * BUSINESS_DAY),
    ),
    _live("phone", "phone"),
    _live("chat", "chat"),
    _live("in_person", "in person"),
    PolicySpec(
        name="Critical",
        severity="critical",
        description="Critical complaints on written channels: within the hour, resolved the same day.",
        targets=_common(TargetSpec(K.FIRST_RESPONSE, 60, False, steps=URGENT_CHAIN), BUSINESS_DAY),
    ),
    PolicySpec(
        name="Live: critical chat",
        severity="critical",
        channel="chat",
        description="A critical live chat: first minute, and the lead hears of it at once.",
        targets=_common(TargetSpec(K.FIRST_RESPONSE, 1, False, steps=LIVE_CHAIN), 4 * 60),
    ),
)

REGULATORY = (
    PolicySpec(
        name="UK FCA DISP 1.6",
        kind=PolicyKind.REGULATORY,
        active=False,
        description="Prompt acknowledgement; a summary resolution within 3 business days closes the "
        "complaint; otherwise a final response within 8 weeks.",
        targets=(
            TargetSpec(K.REG_ACKNOWLEDGE, 60, steps=((1, "breach", 0, "notify_lead"),)),
            TargetSpec(K.REG_SUMMARY, 3 * BUSINESS_DAY, warnings=({"percent": 66},)),
            TargetSpec(
                K.REG_FINAL,
                8 * 7 * 1440,
                False,
                ({"percent": 50}, {"percent": 75}, {"before": 7 * 1440}),
                ((1, "warning", 0, "notify_lead"), (2, "breach", 0, "notify_manager")),
            ),
        ),
    ),
    PolicySpec(
        name="US CFPB",
        kind=PolicyKind.REGULATORY,
        active=False,
        description="A response within 15 days and a final response within 60 days.",
        targets=(
            TargetSpec(K.REG_ACKNOWLEDGE, 15 * 1440, False, steps=((1, "breach", 0, "notify_manager"),)),
            TargetSpec(
                K.REG_FINAL,
                60 * 1440,
                False,
                ({"percent": 50}, {"before": 5 * 1440}),
                ((1, "warning", 0, "notify_lead"), (2, "breach", 0, "notify_manager")),
            ),
        ),
    ),
)


def policy_install(spec: PolicySpec) -> Policy:
    """Create a policy from a spec, or leave an existing one of that name untouched."""
    policy, created = Policy.objects.get_or_create(
        name=spec.name,
        defaults={
            "kind": spec.kind,
            "severity": spec.severity,
            "channel": spec.channel,
            "is_default": spec.is_default,
            "active": spec.active,
            "description": spec.description,
        },
    )
    if created:
        for t in spec.targets:
            target = Target.objects.create(
                policy=policy,
                kind=t.kind,
                minutes=t.minutes,
                business_hours=t.business_hours,
                warnings=list(t.warnings),
            )
            bulk_create_with_history(
                [
                    EscalationStep(target=target, level=lv, base=base, offset_minutes=off, action=act)
                    for lv, base, off, act in t.steps
                ],
                EscalationStep,
            )
    return policy


def policies_ensure_defaults() -> Policy:
    """Make sure the office calendar, the demo policies, the regulatory templates and a default exist."""
    with transaction.atomic():
        BusinessCalendar.objects.get_or_create(
            name=OFFICE_HOURS,
            defaults={
                "tz": "Europe/London",
                "hours": {str(d): [["09:00", "17:00"]] for d in range(5)},
                "holiday_country": "GB",
                "holiday_subdiv": "ENG",
            },
        )
        for spec in (*DEFAULTS, *REGULATORY):
            if not Policy.objects.filter(name=spec.name).exists():
                if spec.is_default and Policy.objects.filter(is_default=True).exists():
                    continue
                policy_install(spec)
        return Policy.objects.get(is_default=True)
