"""What people do with clocks: promise the customer a time, keep it, send an update;
and what managers do with policies and calendars."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.events import record_event
from cases.models import Case
from cases.permissions import require_work

from .clocks import (
    case_targets,
    clock_cancel,
    clock_schedule,
    clock_start,
    clock_stop,
    clocks_reschedule_calendar,
    clocks_retarget,
    clocks_retarget_policy,
)
from .models import BusinessCalendar, Clock, EscalationStep, Policy, Target, TeamCalendar
from .rules import ClockKind

MAX_PROMISE = timedelta(days=365)


def _locked_case(case: Case, actor) -> Case:
    case = Case.objects.select_for_update(of=("self",)).select_related("customer").get(pk=case.pk)
    require_work(actor, case)
    return case


def promise_make(*, case: Case, actor, what: str, due_at: datetime) -> Clock:
    """Store "we will do X by <time>" as a clock of its own; a new promise replaces the last."""
    now = timezone.now()
    errors = {}
    if not what.strip():
        errors["what"] = "Say what was promised to the customer."
    if due_at is None or timezone.is_naive(due_at):
        errors["due_at"] = "Give the date and time promised."
    elif due_at <= now:
        errors["due_at"] = "The promised time must be in the future."
    elif due_at - now > MAX_PROMISE:
        errors["due_at"] = "Promise something within a year."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked_case(case, actor)
        if not case.is_open:
            raise ValidationError({"what": "The case is no longer open."})
        previous = Clock.objects.select_for_update().filter(
            case=case, kind=ClockKind.PROMISE, stopped_at__isnull=True
        )
        for clock in previous:
            clock_cancel(clock=clock, at=now)
        target = case_targets(case).get(ClockKind.PROMISE)
        # A promise is a point in time the customer heard: it counts in elapsed time.
        clock = clock_start(
            case=case,
            kind=ClockKind.PROMISE,
            at=now,
            target=target,
            minutes=(due_at - now).total_seconds() / 60,
            label=what.strip()[:200],
        )
        if clock.calendar_id is not None:
            clock.calendar = None
            clock_schedule(clock)
            clock.save()
        record_event(
            case=case,
            kind="sla.promise.made",
            actor=actor,
            at=now,
            data={"clock": clock.pk, "what": clock.label, "due_at": clock.due_at, "replaced": len(previous)},
        )
    return clock


def promise_keep(*, case: Case, actor) -> Clock:
    with transaction.atomic():
        case = _locked_case(case, actor)
        clock = (
            Clock.objects.select_for_update()
            .filter(case=case, kind=ClockKind.PROMISE, stopped_at__isnull=True)
            .first()
        )
        if clock is None:
            raise ValidationError("There is no open promise on this case.")
        return clock_stop(clock=clock, at=timezone.now(), actor=actor)


def customer_update_record(*, case: Case, actor, note: str = "") -> None:
    """The customer heard from us: the periodic-update clock starts again from now."""
    now = timezone.now()
    with transaction.atomic():
        case = _locked_case(case, actor)
        if not case.is_open:
            raise ValidationError("The case is no longer open.")
        record_event(case=case, kind="sla.customer.updated", actor=actor, at=now, data={"note": note.strip()})
        clock = (
            Clock.objects.select_for_update()
            .filter(case=case, kind=ClockKind.PERIODIC_UPDATE, stopped_at__isnull=True)
            .first()
        )
        if clock is not None:
            clock_stop(clock=clock, at=now, actor=actor)
        target = case_targets(case).get(ClockKind.PERIODIC_UPDATE)
        if target is not None and case.first_responded_at is not None:
            clock_start(case=case, kind=ClockKind.PERIODIC_UPDATE, at=now, target=target)


def require_manager(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.sees_all_teams:
        raise PermissionDenied("Policies and calendars are managed by managers.")


def policy_save(*, policy: Policy, actor) -> int:
    """After a manager's edit: open clocks under the policy are re-targeted from their start."""
    require_manager(actor)
    with transaction.atomic():
        if policy.is_default and not policy.active:
            raise ValidationError({"active": "The default policy must stay active."})
        policy.save()
        return clocks_retarget_policy(policy=policy)


def policy_create(*, actor, name: str, severity: str = "", channel: str = "", copy_from: Policy) -> Policy:
    """A new policy starts as a copy of another's targets and chains, to be edited from there.

    It governs cases opened (or re-targeted) from now on.
    """
    require_manager(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the policy a name."})
    if Policy.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A policy called '{name}' already exists."})
    with transaction.atomic():
        policy = Policy.objects.create(
            name=name,
            kind=copy_from.kind,
            severity=severity,
            channel=channel,
            description=copy_from.description,
        )
        for source in copy_from.targets.prefetch_related("steps"):
            target = Target.objects.create(
                policy=policy,
                kind=source.kind,
                minutes=source.minutes,
                business_hours=source.business_hours,
                warnings=list(source.warnings),
            )
            bulk_create_with_history(
                [
                    EscalationStep(
                        target=target,
                        level=s.level,
                        base=s.base,
                        offset_minutes=s.offset_minutes,
                        action=s.action,
                    )
                    for s in source.steps.all()
                ],
                EscalationStep,
            )
    return policy


def calendar_save(*, calendar: BusinessCalendar, actor, teams: list | None = None) -> int:
    """Save a calendar (and which teams count in it); open clocks move to the new hours."""
    require_manager(actor)
    with transaction.atomic():
        calendar.as_calendar()  # raises ValueError for impossible hours
        calendar.save()
        moved = clocks_reschedule_calendar(calendar=calendar)
        if teams is not None:
            before = set(TeamCalendar.objects.filter(calendar=calendar).values_list("team_id", flat=True))
            TeamCalendar.objects.filter(calendar=calendar).exclude(team__in=teams).delete()
            for team in teams:
                TeamCalendar.objects.update_or_create(team=team, defaults={"calendar": calendar})
            changed = before ^ {team.pk for team in teams}
            for case in Case.objects.filter(team_id__in=changed, clocks__stopped_at__isnull=True).distinct():
                clocks_retarget(case=case)
                moved += 1
        return moved
