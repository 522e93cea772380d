"""The sweep: claim the clocks whose next check has come, record warnings and breaches, and
fire the escalation levels that are due.

Cost follows the number of due clocks (a partial index on `next_check_at`), never the number
of open ones. Every effect is a `Firing` row unique per (clock, level), written in the same
transaction as its timeline event and outbox rows, so two workers, two beats, retries or a
worker killed mid-sweep cannot fire anything twice; a killed sweep's uncommitted batch is
simply claimed again by the next one.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from cases.events import Notice, record_event, together
from cases.models import Case
from cases.services import case_assign, case_update

from .clocks import Checkpoint, breach_data, clock_retarget_held, clock_schedule
from .models import Clock, ClockState, Firing
from .notify import Message
from .reactions import sweeping
from .rules import SEVERITY_UP, EscalationAction

log = logging.getLogger(__name__)

# A clock whose processing fails is looked at again this much later, so it cannot block the rest.
RETRY_AFTER = timedelta(seconds=60)


@dataclass
class SweepReport:
    clocks: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    skipped: int = 0
    failed: int = 0
    lateness: list[float] = field(default_factory=list)

    @property
    def fired(self) -> int:
        return self.warnings + self.breaches + self.escalations


def sweep(*, now: datetime | None = None, limit: int | None = None) -> SweepReport:
    """Handle every clock due at `now` (default: the current time as each group is claimed), up
    to `limit` clocks: a backlog after downtime drains in one tick.

    Clocks are claimed in small groups (SLA_SWEEP_GROUP) with their cases, both locked with SKIP
    LOCKED, and each group commits on its own: a case an agent is writing right now is left for
    the next tick, and the sweep holds a case only for the moment one group takes (bounded by
    the group's size; bench/README.md gives the figure). Their notices and webhooks go to the
    outbox as the group commits. A clock that fails rolls its group back; the group is then
    redone one clock at a time, so only the bad one is pushed forward.
    """
    report, passed = SweepReport(), set()
    limit = limit or settings.SLA_SWEEP_BATCH * 50
    group = min(settings.SLA_SWEEP_GROUP, limit)
    while report.clocks < limit and _sweep_group(now, report, passed, group):
        pass
    report.skipped = len(passed)
    return report


def _claim(at: datetime, passed: set[int], *, size: int, pk: int | None = None) -> list[Clock]:
    """Due clocks and their cases, all locked; two short queries on their own indexes (joined
    and locked in one, PostgreSQL sorted every due clock with its joins for each claim: 14 ms
    apiece with 2,000 due). A clock whose case someone is writing right now is passed over for
    this run and taken at the next tick."""
    due = Clock.objects.select_for_update(skip_locked=True).filter(next_check_at__lte=at)
    if pk is not None:
        due = due.filter(pk=pk)
    clocks = list(due.exclude(pk__in=passed).order_by("next_check_at", "id")[:size])
    cases = {
        case.pk: case
        for case in Case.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("owner", "customer", "team__lead")
        .filter(pk__in={clock.case_id for clock in clocks})
    }
    held = []
    for clock in clocks:
        if clock.case_id in cases:
            clock.case = cases[clock.case_id]
            held.append(clock)
        else:
            passed.add(clock.pk)
    return held


def _sweep_group(now: datetime | None, report: SweepReport, passed: set[int], size: int) -> bool:
    """One group in one transaction; False when nothing is due."""
    claimed: list[int] = []
    try:
        with transaction.atomic():
            clocks = _claim(now or timezone.now(), passed, size=size)
            claimed = [clock.pk for clock in clocks]
            firings: list[Firing] = []
            # The group's timeline entries, notices and firings go in one INSERT per table.
            with together():
                for clock in clocks:
                    clock_check(clock=clock, now=now, report=report, firings=firings)
            Firing.objects.bulk_create(firings)
        report.clocks += len(claimed)
        # Nothing held: either nothing is due, or what was due is being written by someone.
        return bool(claimed) or (bool(passed) and _anything_due(now, passed))
    except Exception:
        if not claimed:
            raise
    for pk in claimed:  # one of them failed: alone, each either fires or is pushed forward
        _sweep_alone(pk, now, report, passed)
    return True


def _anything_due(now: datetime | None, passed: set[int]) -> bool:
    return Clock.objects.filter(next_check_at__lte=now or timezone.now()).exclude(pk__in=passed).exists()


def _sweep_alone(pk: int, now: datetime | None, report: SweepReport, passed: set[int]) -> None:
    try:
        with transaction.atomic():
            for clock in _claim(now or timezone.now(), passed, size=1, pk=pk):
                report.clocks += 1
                clock_check(clock=clock, now=now, report=report)
    except Exception:
        log.exception("SLA sweep failed on clock %s; retrying it later", pk)
        report.failed += 1
        report.clocks += 1
        Clock.objects.filter(pk=pk).update(
            next_check_at=timezone.now() + RETRY_AFTER, check_failures=F("check_failures") + 1
        )


def clock_check(
    *,
    clock: Clock,
    now: datetime | None = None,
    report: SweepReport | None = None,
    firings: list[Firing] | None = None,
) -> list[Firing]:
    """Fire everything of one clock (locked with its case) that is due, each level exactly once.

    `fired_at` is the moment of firing, which is the moment its transaction commits: the
    lateness recorded is the lateness the people waiting saw. Given `firings`, the firings are
    added to it for the caller to insert (with the rest of its group) instead of inserted here.
    """
    report = report or SweepReport()
    at = now or timezone.now()
    case = clock.case
    fired = set(clock.fired_levels)
    due = [p for p in clock_schedule(clock, fired=fired) if p.at <= at]
    fired_now = []
    token = sweeping.set(clock.pk)
    try:
        for point in due:
            if clock.stopped_at is not None:
                break
            firing = Firing(clock=clock, level=point.level, action=point.action, due_at=point.at, fired_at=at)
            report.lateness.append(firing.lateness_seconds)
            if point.level.startswith("warn-"):
                _warn(clock, case, point, at)
                report.warnings += 1
            elif point.level == "breach":
                _breach(clock, case, at)
                report.breaches += 1
            else:
                firing.outcome, case = _escalate(clock, case, point, at)
                report.escalations += 1
            fired.add(point.level)
            fired_now.append(firing)
    finally:
        sweeping.reset(token)
    # The unique (clock, level) row is what makes a level fire once: a second sweep that got here
    # with the same clock fails this insert and rolls its whole transaction back.
    if firings is None:
        Firing.objects.bulk_create(fired_now)
    else:
        firings.extend(fired_now)
    clock.fired_levels = sorted(fired)
    clock_schedule(clock, fired=fired)
    clock.save()
    return fired_now


# ---- effects ----------------------------------------------------------------------------------


def _notice(clock: Clock, case: Case, at: datetime, users, msg: "Message | None" = None) -> Notice:
    msg = msg or message(clock, case, at)
    return Notice(recipients=tuple(users), subject=msg.subject, body=msg.body)


def _warn(clock: Clock, case: Case, point: Checkpoint, now: datetime) -> None:
    clock.warned_at = clock.warned_at or point.at
    record_event(
        case=case,
        kind="sla.clock.warned",
        at=now,
        data={
            "clock": clock.pk,
            "kind": clock.kind,
            "label": clock.title,
            "level": point.level,
            "warn_due_at": point.at,
            "due_at": clock.due_at,
            "lateness_seconds": round((now - point.at).total_seconds(), 3),
        },
        notice=_notice(clock, case, now, [case.owner or case.team.lead]),
    )


def _breach(clock: Clock, case: Case, now: datetime) -> None:
    clock.breached_at = clock.due_at
    if clock.state in (ClockState.RUNNING, ClockState.PAUSED):
        clock.state = ClockState.BREACHED
    record_event(
        case=case,
        kind="sla.clock.breached",
        at=now,
        data=breach_data(clock, now),
        notice=_notice(clock, case, now, [case.owner or case.team.lead]),
    )


def _managers() -> list[User]:
    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("id")[:20])


def _escalate(clock: Clock, case: Case, point: Checkpoint, now: datetime) -> tuple[str, Case]:
    """Apply one escalation level; returns its outcome and the case as it now stands."""
    action, lead = point.action, case.team.lead
    recipients, outcome = [], ""
    if action == EscalationAction.NOTIFY_OWNER:
        recipients = [case.owner or lead]
    elif action == EscalationAction.NOTIFY_LEAD:
        recipients = [lead] if lead else _managers()
    elif action == EscalationAction.NOTIFY_MANAGER:
        recipients = _managers()
    elif action == EscalationAction.REASSIGN_LEAD:
        recipients = [lead] if lead else _managers()
        if lead is None:
            outcome = "no team lead to take the case"
        elif case.owner_id == lead.pk:
            outcome = "the team lead already owns the case"
        else:
            try:
                case = case_assign(
                    case=case,
                    to_owner=lead,
                    actor=None,
                    reason=f"Escalated: {clock.title} {_state_words(clock, now)}.",
                )
                outcome = f"reassigned to {lead}"
            except (ValidationError, PermissionDenied) as exc:
                outcome = "could not reassign: " + " ".join(getattr(exc, "messages", [str(exc)]))
    elif action == EscalationAction.RAISE_SEVERITY:
        higher = SEVERITY_UP.get(case.severity, case.severity)
        if higher == case.severity:
            outcome = f"severity already {case.get_severity_display().lower()}"
        else:
            case = case_update(case=case, actor=None, changes={"severity": higher})
            # The other clocks followed the new policy; this one is ours to re-target.
            clock_retarget_held(clock, case)
            outcome = f"severity raised to {higher}"
        recipients = [case.owner or lead]
    msg = message(clock, case, now)
    words = EscalationAction(action).label if action in EscalationAction.values else action
    msg = Message(
        subject=f"Escalation {point.level}: {msg.subject}",
        body=f"{msg.body}\nEscalation: {words}. {outcome}".strip(),
    )
    record_event(
        case=case,
        kind="sla.clock.escalated",
        at=now,
        data={
            "clock": clock.pk,
            "kind": clock.kind,
            "label": clock.title,
            "level": point.level,
            "action": action,
            "outcome": outcome,
            "escalation_due_at": point.at,
            "lateness_seconds": round((now - point.at).total_seconds(), 3),
        },
        notice=_notice(clock, case, now, recipients, msg),
    )
    return outcome, case


# ---- words ------------------------------------------------------------------------------------


def human_duration(seconds: float) -> str:
    seconds = int(abs(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days {hours % 24} h"


def _state_words(clock: Clock, now: datetime) -> str:
    if clock.due_at is None:
        return "is paused"
    left = (clock.due_at - now).total_seconds()
    due = timezone.localtime(clock.due_at).strftime("%d %b %H:%M")
    if left >= 0:
        return f"is due in {human_duration(left)} (at {due})"
    return f"is overdue by {human_duration(left)} (was due {due})"


def message(clock: Clock, case: Case, now: datetime) -> Message:
    """Readable text naming the case, the customer, the clock and the time left or overdue."""
    subject = f"{case.reference} · {case.customer.name}: {clock.title} {_state_words(clock, now)}"
    owner = case.owner or "nobody yet"
    body = (
        f"Case {case.reference} for {case.customer.name}: {case.summary}\n"
        f"{clock.title} {_state_words(clock, now)}.\n"
        f"Owner: {owner}. Team: {case.team}. Severity: {case.get_severity_display()}.\n"
        f"Open the case: {settings.SITE_URL}/cases/{case.reference}/"
    )
    return Message(subject=subject[:200], body=body)
