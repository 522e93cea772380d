"""Clock services: start, pause, resume, stop and re-target the clocks of a case.

Called by the case services inside their transaction (the case row is already locked), so a
case's state and its clocks always change together. Due, warning and escalation instants are
computed from the start, the target, the calendar and the stored pause intervals; nothing is
accumulated, so a re-target after a change of severity, policy or calendar is exact.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from cases import config
from cases.events import record_event
from cases.models import Case
from cases.workflow import Action

from . import businesstime
from .config import operational, sla_config
from .models import BusinessCalendar, Clock, ClockPause, ClockState, Firing, Policy, PolicyKind, Target
from .rules import APPOINTED, ON_ACTION, ON_OPEN, ClockKind, EscalationBase, warning_minutes

ALWAYS = businesstime.Calendar.twenty_four_seven()
REGULATORY_KINDS = {ClockKind.REG_ACKNOWLEDGE, ClockKind.REG_SUMMARY, ClockKind.REG_FINAL}


@dataclass(frozen=True)
class Checkpoint:
    """An instant the sweep must act on: a warning, the breach or an escalation level."""

    at: datetime
    level: str
    action: str = ""


# ---- policies ---------------------------------------------------------------------------------


def _matches(policy: Policy, *, severity: str, channel: str) -> bool:
    return policy.severity in ("", severity) and policy.channel in ("", channel)


def policy_for(*, severity: str, channel: str) -> Policy:
    """The most specific active operational policy: severity and channel, then channel, then
    severity, then the default (created on first use, so one always exists)."""
    candidates = [p for p in operational(sla_config()) if _matches(p, severity=severity, channel=channel)]
    best = max(
        candidates,
        key=lambda p: (bool(p.channel) * 2 + bool(p.severity), p.is_default, -p.pk),
        default=None,
    )
    if best is None:
        from .policies import policies_ensure_defaults

        policies_ensure_defaults()
        config.forget_all()
        best = policy_for(severity=severity, channel=channel)
    return best


def regulatory_policies_for(*, severity: str, channel: str) -> list[Policy]:
    return [
        p
        for p in sla_config().policies
        if p.kind == PolicyKind.REGULATORY and _matches(p, severity=severity, channel=channel)
    ]


def case_targets(case: Case) -> dict[str, Target]:
    """kind -> target for this case: the operational policy's, plus active regulatory templates."""
    policies = [policy_for(severity=case.severity, channel=case.channel)]
    policies += regulatory_policies_for(severity=case.severity, channel=case.channel)
    targets_of = sla_config().targets
    targets = {}
    for policy in policies:
        for target in targets_of.get(policy.pk, []):
            if (target.kind in REGULATORY_KINDS) == (policy.kind == PolicyKind.REGULATORY):
                targets.setdefault(target.kind, target)
    return targets


def _calendar_for(case: Case, target: Target | None) -> BusinessCalendar | None:
    if target is None or not target.business_hours:
        return None
    cfg = sla_config()
    return cfg.team_calendar.get(case.team_id, cfg.office_hours)


def _steps(target: Target | None) -> list[dict]:
    if target is None:
        return []
    return [
        {"level": s.level, "base": s.base, "offset": s.offset_minutes, "action": s.action}
        for s in target.steps.all()
    ]


def _apply_target(clock: Clock, case: Case, target: Target) -> None:
    clock.policy = target.policy
    clock.calendar = _calendar_for(case, target)
    clock.target_minutes = target.minutes
    clock.warnings = list(target.warnings)
    clock.steps = _steps(target)


# ---- arithmetic -------------------------------------------------------------------------------


def clock_calendar(clock: Clock) -> businesstime.Calendar:
    if not clock.calendar_id:
        return ALWAYS
    cfg = sla_config()
    if clock.calendar_id in cfg.calendars:
        return cfg.calendar(clock.calendar_id)
    return clock.calendar.as_calendar()


def _pauses(clock: Clock) -> list[tuple[datetime, datetime | None]]:
    # Cached on the instance for the length of one operation; pause changes drop the cache.
    # A clock that never stood still has none to read.
    if clock.pk is None or not clock.paused_ever:
        return []
    if not hasattr(clock, "_pause_cache"):
        clock._pause_cache = list(
            ClockPause.objects.filter(clock=clock).values_list("started_at", "ended_at")
        )
    return clock._pause_cache


def _forget_pauses(clock: Clock) -> None:
    clock.__dict__.pop("_pause_cache", None)


def checkpoints(clock: Clock) -> list[Checkpoint]:
    """Every warning, the breach and every escalation level of the clock, with its instant.

    An instant is missing (None is left out) when an open pause stops the clock before it.
    """
    cal, start, pauses = clock_calendar(clock), clock.started_at, _pauses(clock)

    def at(minutes: float, base: datetime | None = None) -> datetime | None:
        if base is None:
            return businesstime.add_business_minutes(cal, start, minutes, pauses)
        return businesstime.add_business_minutes(cal, base, minutes, pauses)

    points = [
        Checkpoint(at(m), f"warn-{i}")
        for i, m in enumerate(warning_minutes(clock.warnings, clock.target_minutes), start=1)
    ]
    due = at(clock.target_minutes)
    first_warning = points[0].at if points else due
    points.append(Checkpoint(due, "breach"))
    for step in clock.steps:
        base = first_warning if step["base"] == EscalationBase.WARNING else due
        if base is not None:
            points.append(Checkpoint(at(step["offset"], base), f"L{step['level']}", step["action"]))
    # At one instant: warnings, then the breach, then the escalation levels in order.
    rank = {"w": 0, "b": 1, "L": 2}
    return sorted(
        (p for p in points if p.at is not None),
        key=lambda p: (p.at, rank[p.level[0]], int(p.level[1:]) if p.level[0] == "L" else p.level),
    )


def clock_schedule(clock: Clock, *, fired: set[str] | None = None) -> list[Checkpoint]:
    """Recompute due, warning and next-check times; returns the checkpoints still to fire."""
    if clock.stopped_at is not None:
        clock.warn_at = clock.next_check_at = None
        return []
    if fired is None:
        fired = set(clock.fired_levels)
    points = checkpoints(clock)
    clock.due_at = next((p.at for p in points if p.level == "breach"), None)
    pending = [p for p in points if p.level not in fired]
    clock.warn_at = next((p.at for p in pending if p.level.startswith("warn-")), None)
    clock.next_check_at = pending[0].at if pending else None
    return pending


def business_minutes_taken(clock: Clock, until: datetime) -> float:
    return businesstime.business_minutes_between(
        clock_calendar(clock), clock.started_at, until, _pauses(clock)
    )


# ---- lifecycle --------------------------------------------------------------------------------


def clock_start(
    *,
    case: Case,
    kind: str,
    at: datetime,
    target: Target | None,
    minutes: float | None = None,
    label: str = "",
) -> Clock:
    clock = _new_clock(case=case, kind=kind, at=at, target=target, minutes=minutes, label=label)
    clock.save()
    return clock


def _new_clock(
    *,
    case: Case,
    kind: str,
    at: datetime,
    target: Target | None,
    minutes: float | None = None,
    label: str = "",
) -> Clock:
    clock = Clock(case=case, kind=kind, started_at=at, label=label, target_minutes=minutes or 0)
    if target is not None:
        _apply_target(clock, case, target)
    if minutes is not None:
        clock.target_minutes = minutes
    clock_schedule(clock, fired=set())
    return clock


def clocks_start(*, case: Case, kinds, at: datetime) -> list[Clock]:
    """Start the clocks of these kinds that the case's policies have, in one insert."""
    targets = case_targets(case)
    clocks = [
        _new_clock(case=case, kind=kind, at=at, target=targets[kind])
        for kind in sorted(kinds)
        if kind in targets
    ]
    return Clock.objects.bulk_create(clocks)


def _active(case: Case, kinds) -> list[Clock]:
    # Lock the clocks: the sweep may be looking at one of them right now.
    return list(
        Clock.objects.select_for_update(of=("self",))
        .filter(case=case, kind__in=list(kinds), stopped_at__isnull=True)
        .select_related("calendar")
        .order_by("id")
    )


def _close_pause(clock: Clock, at: datetime) -> None:
    if not clock.paused_ever:
        return  # never stood still: no pause to close
    ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=max(at, clock.started_at))
    _forget_pauses(clock)


def clock_stop(*, clock: Clock, at: datetime, actor=None) -> Clock:
    """Stop a clock because its goal was reached: met if on time, otherwise late (and breached)."""
    _close_pause(clock, at)
    clock_schedule(clock)
    if clock.breached_at is None and clock.due_at is not None and at > clock.due_at:
        # Reached after the due time but before any sweep saw it: the breach still counts, once.
        _, created = Firing.objects.get_or_create(
            clock=clock, level="breach", defaults={"due_at": clock.due_at, "fired_at": at}
        )
        clock.breached_at = clock.due_at
        clock.fired_levels = sorted({*clock.fired_levels, "breach"})
        if created:
            record_event(case=clock.case, kind="sla.clock.breached", at=at, data=breach_data(clock, at))
    clock.business_minutes_taken = business_minutes_taken(clock, at)
    clock.state = ClockState.MET if clock.breached_at is None else ClockState.STOPPED
    clock.stopped_at = at
    clock_schedule(clock)
    clock.save()
    record_event(
        case=clock.case,
        kind="sla.clock.met" if clock.state == ClockState.MET else "sla.clock.stopped_late",
        actor=actor,
        at=at,
        data={
            "clock": clock.pk,
            "kind": clock.kind,
            "label": clock.title,
            "due_at": clock.due_at,
            "business_minutes": round(clock.business_minutes_taken, 2),
            "late_seconds": round((at - clock.due_at).total_seconds()) if clock.breached_at else 0,
        },
    )
    return clock


def clock_cancel(*, clock: Clock, at: datetime) -> None:
    _close_pause(clock, at)
    clock.state = ClockState.CANCELLED
    clock.stopped_at = at
    clock_schedule(clock)
    clock.save()


def clock_pause(*, clock: Clock, at: datetime) -> None:
    if ClockPause.objects.filter(clock=clock, ended_at__isnull=True).exists():
        return
    ClockPause.objects.create(clock=clock, started_at=max(at, clock.started_at))
    clock.paused_ever = True
    _forget_pauses(clock)
    if clock.breached_at is None:
        clock.state = ClockState.PAUSED
    clock_schedule(clock)
    clock.save()


def clock_resume(*, clock: Clock, at: datetime) -> None:
    _close_pause(clock, at)
    clock.state = ClockState.BREACHED if clock.breached_at else ClockState.RUNNING
    clock_schedule(clock)
    clock.save()


def breach_data(clock: Clock, detected_at: datetime) -> dict:
    return {
        "clock": clock.pk,
        "kind": clock.kind,
        "label": clock.title,
        "due_at": clock.due_at,
        "detected_at": detected_at,
        "lateness_seconds": round(max(0.0, (detected_at - clock.due_at).total_seconds()), 3),
    }


# ---- hooks called by the case services ---------------------------------------------------------


def clocks_on_open(*, case: Case, at: datetime | None = None) -> list[Clock]:
    return clocks_start(case=case, kinds=ON_OPEN, at=at or case.opened_at)


def clocks_on_action(*, case: Case, action: Action | str, at: datetime, actor=None) -> None:
    """Start, pause, resume and stop the case's clocks as the workflow moves."""
    effects = ON_ACTION.get(Action(action))
    if effects is None:
        return
    touched = effects.stop | effects.cancel | effects.pause | effects.resume | effects.restart | effects.start
    by_kind = {clock.kind: clock for clock in _active(case, touched)}
    for kind in sorted(effects.stop | effects.restart):
        if kind in by_kind:
            clock_stop(clock=by_kind.pop(kind), at=at, actor=actor)
    for kind in sorted(effects.cancel):
        if kind in by_kind:
            clock_cancel(clock=by_kind.pop(kind), at=at)
    for kind in sorted(effects.pause):
        if kind in by_kind:
            clock_pause(clock=by_kind[kind], at=at)
    for kind in sorted(effects.resume):
        if kind in by_kind:
            clock_resume(clock=by_kind[kind], at=at)
    starts = (effects.start | effects.restart) - set(by_kind)
    if starts:
        clocks_start(case=case, kinds=starts, at=at)


def clocks_retarget(*, case: Case, at: datetime | None = None, leave: int | None = None) -> None:
    """After a change of severity, channel, team, policy or calendar: re-derive every open clock
    from its own start. Clocks whose kind the new policy no longer has are cancelled. `leave` is
    a clock the sweep holds and re-targets itself."""
    at = at or timezone.now()
    targets = case_targets(case)
    clocks = Clock.objects.select_for_update().filter(case=case, stopped_at__isnull=True).exclude(pk=leave)
    for clock in clocks.order_by("id"):
        if clock.kind in APPOINTED:
            continue
        target = targets.get(clock.kind)
        if target is None:
            clock_cancel(clock=clock, at=at)
            continue
        _apply_target(clock, case, target)
        clock_schedule(clock)
        clock.save()


def clock_retarget_held(clock: Clock, case: Case) -> None:
    """Re-target a clock its caller holds (the sweep's own), after the case's policy changed."""
    if clock.kind in APPOINTED:
        return
    target = case_targets(case).get(clock.kind)
    if target is None:
        clock_cancel(clock=clock, at=timezone.now())
    else:
        _apply_target(clock, case, target)


def clocks_retarget_policy(*, policy: Policy) -> int:
    """Re-target every open clock of the cases a policy governs (after an edit)."""
    case_ids = set(
        Clock.objects.filter(stopped_at__isnull=True, policy=policy).values_list("case_id", flat=True)
    )
    for case in Case.objects.filter(pk__in=case_ids).select_for_update():
        clocks_retarget(case=case)
    return len(case_ids)


def clocks_reschedule_calendar(*, calendar: BusinessCalendar) -> int:
    count = 0
    for clock in Clock.objects.select_for_update().filter(stopped_at__isnull=True, calendar=calendar):
        clock.calendar = calendar
        clock_schedule(clock)
        clock.save()
        count += 1
    return count
