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
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from cases.events import record_event
from cases.models import Case

from .clocks import Checkpoint, breach_data, clock_schedule
from .models import Clock, ClockState, Firing
from .notify import Message, kick_delivery, notify_users
from .rules import SEVERITY_UP, EscalationAction

log = logging.getLogger(__name__)

# A clock whose processing fails is looked at again this much later, so it cannot block the rest.
RETRY_AFTER = timedelta(seconds=60)


class CaseBusy(Exception):
    """Someone else holds the case right now; the clock stays due for the next sweep."""


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


def sweep(
    *, now: datetime | None = None, batch: int | None = None, max_batches: int = 50, deliver: bool = False
) -> SweepReport:
    """Handle every clock due at `now` (default: the current time at each batch).

    Loops while it keeps claiming full batches, so a backlog after downtime drains in one tick.
    With `deliver`, one outbox delivery is enqueued at the end if anything fired.
    """
    batch = batch or settings.SLA_SWEEP_BATCH
    report = SweepReport()
    for _ in range(max_batches):
        claimed = _sweep_batch(now or timezone.now(), batch, report)
        if claimed < batch:
            break
    if report.fired and deliver:
        kick_delivery()  # once per run, after commit: the outbox rows are visible to the deliverer
    return report


def _sweep_batch(now: datetime, batch: int, report: SweepReport) -> int:
    with transaction.atomic():
        clocks = list(
            Clock.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_check_at__lte=now)
            .select_related("calendar")
            .order_by("next_check_at", "id")[:batch]
        )
        for clock in clocks:
            report.clocks += 1
            try:
                with transaction.atomic():  # a savepoint: one bad clock does not undo the batch
                    clock_check(clock=clock, now=now, report=report)
            except CaseBusy:
                report.skipped += 1
            except Exception:
                log.exception("SLA sweep failed on clock %s; retrying it later", clock.pk)
                report.failed += 1
                Clock.objects.filter(pk=clock.pk).update(
                    next_check_at=now + RETRY_AFTER, check_failures=F("check_failures") + 1
                )
    return len(clocks)


def _lock_case(case_id: int) -> Case:
    # NOWAIT: the case services lock the case before its clocks; waiting here could deadlock.
    try:
        return (
            Case.objects.select_for_update(nowait=True, of=("self",))
            .select_related("owner", "customer", "team__lead")
            .get(pk=case_id)
        )
    except DatabaseError as exc:
        raise CaseBusy from exc


def clock_check(*, clock: Clock, now: datetime, report: SweepReport | None = None) -> list[Firing]:
    """Fire everything of one (locked) clock that is due at `now`, each level exactly once."""
    report = report or SweepReport()
    case = _lock_case(clock.case_id)
    fired = set(Firing.objects.filter(clock=clock).order_by().values_list("level", flat=True))
    due = [p for p in clock_schedule(clock, fired=fired) if p.at <= now]
    firings = []
    for point in due:
        if clock.stopped_at is not None:
            break
        firing = Firing.objects.create(
            clock=clock, level=point.level, action=point.action, due_at=point.at, fired_at=now
        )
        report.lateness.append(firing.lateness_seconds)
        if point.level.startswith("warn-"):
            _warn(clock, case, point, now)
            report.warnings += 1
        elif point.level == "breach":
            _breach(clock, case, now)
            report.breaches += 1
        else:
            clock.save()  # the escalation may re-target the clock from the database
            firing.outcome = _escalate(clock, case, point, now)
            firing.save(update_fields=["outcome"])
            report.escalations += 1
            # An escalation may have re-targeted the clock (severity) or moved the case.
            clock.refresh_from_db()
            case = _lock_case(case.pk)
        fired.add(point.level)
        firings.append(firing)
    clock_schedule(clock, fired=fired)
    clock.save()
    return firings


# ---- effects ----------------------------------------------------------------------------------


def _warn(clock: Clock, case: Case, point: Checkpoint, now: datetime) -> None:
    clock.warned_at = clock.warned_at or point.at
    event = record_event(
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
    )
    notify_users(
        users=[case.owner or case.team.lead],
        case=case,
        event=event,
        message=message(clock, case, now),
        at=now,
        kick=False,
    )


def _breach(clock: Clock, case: Case, now: datetime) -> None:
    clock.breached_at = clock.due_at
    if clock.state in (ClockState.RUNNING, ClockState.PAUSED):
        clock.state = ClockState.BREACHED
    event = record_event(case=case, kind="sla.clock.breached", at=now, data=breach_data(clock, now))
    notify_users(
        users=[case.owner or case.team.lead],
        case=case,
        event=event,
        message=message(clock, case, now),
        at=now,
        kick=False,
    )


def _managers() -> list[User]:
    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("id")[:20])


def _escalate(clock: Clock, case: Case, point: Checkpoint, now: datetime) -> str:
    from cases.services import case_assign, case_update

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
                case_assign(
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
            case_update(case=case, actor=None, changes={"severity": higher})
            outcome = f"severity raised to {higher}"
        recipients = [case.owner or lead]
    case = Case.objects.select_related("owner", "customer", "team").get(pk=case.pk)
    event = record_event(
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
    )
    msg = message(clock, case, now)
    words = EscalationAction(action).label if action in EscalationAction.values else action
    msg = Message(
        subject=f"Escalation {point.level}: {msg.subject}",
        body=f"{msg.body}\nEscalation: {words}. {outcome}".strip(),
    )
    notify_users(users=recipients, case=case, event=event, message=msg, at=now, kick=False)
    return outcome


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
