"""Call-backs that happen: booked in the team's business hours from the agent's free slots, told
to the customer, reminded, and watched by an SLA clock that breaches at the slot's end.

The clock is an ordinary `Clock` of kind `callback` (24/7: the slot is a moment the customer
heard), so the existing sweep reminds the owner (its warning), breaches and escalates it. What a
missed call-back means to the customer is a reaction to the sweep's events, in its transaction.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.events import record_event, register_reaction
from cases.models import Case
from cases.permissions import can_work_case, require_work
from messaging.models import MessageKind
from messaging.rendering import format_time
from messaging.services import message_send_automatic
from sla import businesstime
from sla.clocks import clock_cancel, clock_schedule, clock_start, clock_stop
from sla.config import sla_config
from sla.models import Clock
from sla.rules import ClockKind, EscalationAction, EscalationBase

from .models import SLOT, Callback, CallbackState

HORIZON = timedelta(days=7)
MAX_SLOTS = 60
REMINDER_BEFORE = timedelta(minutes=15)
# After a missed slot the customer hears that a lead will call within this time.
RESCUE_WITHIN = timedelta(minutes=60)
STEPS = [
    {"level": 1, "base": EscalationBase.BREACH, "offset": 0, "action": EscalationAction.NOTIFY_LEAD},
    {"level": 2, "base": EscalationBase.BREACH, "offset": 60, "action": EscalationAction.NOTIFY_MANAGER},
]


def team_calendar(case: Case) -> businesstime.Calendar:
    cfg = sla_config()
    calendar = cfg.team_calendar.get(case.team_id, cfg.office_hours)
    return calendar.as_calendar() if calendar is not None else businesstime.Calendar.twenty_four_seven()


def _grid(instant: datetime) -> datetime:
    """The first slot boundary at or after `instant`: half-hours on the UTC clock, so every
    agent's slots line up and "booked twice at once" is one unique (agent, start)."""
    instant = instant.astimezone(UTC)
    floor = instant.replace(minute=instant.minute - instant.minute % 30, second=0, microsecond=0)
    return floor if floor == instant else floor + SLOT


def free_slots(*, case: Case, agent, now: datetime | None = None, limit: int = MAX_SLOTS) -> list[datetime]:
    """Starts of the half-hour slots, wholly inside the team's business hours within the next
    week, that `agent` has no call-back booked in."""
    now = now or timezone.now()
    taken = set(
        Callback.objects.filter(
            agent=agent, state=CallbackState.BOOKED, starts_at__gte=now, starts_at__lt=now + HORIZON
        ).values_list("starts_at", flat=True)
    )
    slots = []
    for start, end in businesstime.open_intervals(team_calendar(case), now, now + HORIZON):
        slot = _grid(max(start, now))
        while slot + SLOT <= end and len(slots) < limit:
            if slot not in taken:
                slots.append(slot)
            slot += SLOT
        if len(slots) >= limit:
            break
    return slots


def _slot_words(case: Case, starts_at: datetime) -> str:
    return f"{format_time(case, starts_at)}, within half an hour"


def _first_name(user) -> str:
    return (user.first_name or user.get_username()).split()[0] if user else "Someone from our team"


def _book(*, case: Case, agent, starts_at: datetime, actor, replaces=None, by_customer=False) -> Callback:
    now = timezone.now()
    if starts_at not in free_slots(case=case, agent=agent, now=now):
        raise ValidationError({"starts_at": "That time is not free: choose one of the times offered."})
    if not case.customer.phone:
        raise ValidationError({"starts_at": f"{case.customer} has no phone number: add one first."})
    ends_at = starts_at + SLOT
    clock = clock_start(
        case=case,
        kind=ClockKind.CALLBACK,
        at=now,
        target=None,
        minutes=(ends_at - now).total_seconds() / 60,
        label=f"Call-back {timezone.localtime(starts_at):%d %b %H:%M}",
    )
    # The owner's reminder is the clock's warning, shortly before the slot starts.
    if starts_at - now > REMINDER_BEFORE:
        clock.warnings = [{"before": (SLOT + REMINDER_BEFORE).total_seconds() / 60}]
    clock.steps = STEPS
    clock_schedule(clock, fired=set())
    clock.save()
    try:
        with transaction.atomic():  # the unique slot per agent is the last word on "free"
            callback = Callback.objects.create(
                case=case,
                agent=agent,
                starts_at=starts_at,
                ends_at=ends_at,
                phone=case.customer.phone,
                clock=clock,
                booked_by=actor,
                booked_at=now,
                replaces=replaces,
                moved_by_customer=by_customer,
            )
    except IntegrityError:
        raise ValidationError({"starts_at": "Someone has just booked that time: choose another."}) from None
    record_event(
        case=case,
        kind="portal.callback.booked",
        actor=actor,
        at=now,
        data={
            "callback": callback.pk,
            "agent": agent.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "replaces": replaces.pk if replaces else None,
            "by_customer": by_customer,
        },
    )
    verb = "moved your call to" if by_customer else "will call you on"
    message_send_automatic(
        case=case,
        kind=MessageKind.UPDATE,
        subject="Your call-back",
        body=(
            f"Hello {{first_name}},\n\n{_first_name(agent)} {verb} {case.customer.phone}: "
            f"{_slot_words(case, starts_at)}.\n"
            + ("" if by_customer else "You can confirm or move the time from your status page.\n")
        ),
    )
    return callback


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("customer", "team", "owner")
        .get(pk=case.pk)
    )


def callback_book(*, case: Case, actor, starts_at: datetime, agent=None) -> Callback:
    """An agent books a call-back slot (for themselves or a colleague on the team)."""
    agent = agent or actor
    with transaction.atomic():
        case = _locked(case)
        require_work(actor, case)
        if not can_work_case(agent, case):
            raise ValidationError({"agent": f"{agent} does not work this team's cases."})
        if not case.is_open:
            raise ValidationError({"starts_at": "The case is no longer open."})
        if Callback.objects.filter(case=case, state=CallbackState.BOOKED).exists():
            raise ValidationError({"starts_at": "A call-back is already booked: log it or move it."})
        return _book(case=case, agent=agent, starts_at=starts_at, actor=actor)


def _booked(case: Case, pk: int) -> Callback:
    callback = Callback.objects.select_for_update().select_related("agent").filter(case=case, pk=pk).first()
    if callback is None or not callback.is_booked:
        raise ValidationError(
            {"starts_at": "That call-back is no longer booked (moved or logged): reload the page."}
        )
    return callback


def _close(callback: Callback, state: str, *, at: datetime, note: str = "") -> None:
    callback.state, callback.logged_at, callback.note = state, at, note
    callback.save(update_fields=["state", "logged_at", "note"])


def callback_move(*, case: Case, callback_id: int, starts_at: datetime, actor=None) -> Callback:
    """The customer (actor None, from their status page) or an agent moves the call to another
    free slot of the same agent."""
    with transaction.atomic():
        case = _locked(case)
        require_work(actor, case)
        old = _booked(case, callback_id)
        if starts_at == old.starts_at:
            raise ValidationError({"starts_at": "That is the time already booked."})
        now = timezone.now()
        _close(old, CallbackState.MOVED, at=now)
        clock = Clock.objects.select_for_update().filter(pk=old.clock_id, stopped_at__isnull=True).first()
        if clock is not None:
            clock_cancel(clock=clock, at=now)
        return _book(
            case=case,
            agent=old.agent,
            starts_at=starts_at,
            actor=actor,
            replaces=old,
            by_customer=actor is None,
        )


def callback_confirm(*, case: Case, callback_id: int) -> Callback:
    """The customer says the booked time suits them."""
    with transaction.atomic():
        case = _locked(case)
        callback = _booked(case, callback_id)
        if callback.confirmed_at is None:
            callback.confirmed_at = timezone.now()
            callback.save(update_fields=["confirmed_at"])
            record_event(
                case=case,
                kind="portal.callback.confirmed",
                data={"callback": callback.pk, "starts_at": callback.starts_at},
            )
        return callback


def callback_log(
    *, case: Case, callback_id: int, actor, made: bool, note: str = "", next_starts_at: datetime | None = None
) -> Callback | None:
    """Log the call. Made: the clock stops (met, or late). Dropped: in the same action the next
    attempt is booked (the time given, else the agent's first free slot); returns it."""
    with transaction.atomic():
        case = _locked(case)
        require_work(actor, case)
        callback = _booked(case, callback_id)
        now = timezone.now()
        _close(callback, CallbackState.MADE if made else CallbackState.DROPPED, at=now, note=note.strip())
        clock = (
            Clock.objects.select_for_update().filter(pk=callback.clock_id, stopped_at__isnull=True).first()
        )
        if clock is not None:
            clock_stop(clock=clock, at=now, actor=actor)
        record_event(
            case=case,
            kind="portal.callback.made" if made else "portal.callback.dropped",
            actor=actor,
            at=now,
            data={"callback": callback.pk, "starts_at": callback.starts_at, "note": note.strip()},
        )
        if made:
            return None
        if next_starts_at is None:
            slots = free_slots(case=case, agent=callback.agent, now=now, limit=1)
            if not slots:
                raise ValidationError({"next_starts_at": "No free slot in the next week: book one by hand."})
            next_starts_at = slots[0]
        return _book(
            case=case, agent=callback.agent, starts_at=next_starts_at, actor=actor, replaces=callback
        )


# ---- what the sweep's events mean for the customer -----------------------------------------------


def _callback_of(event) -> Callback | None:
    if (event.data or {}).get("kind") != ClockKind.CALLBACK:
        return None
    return Callback.objects.select_related("agent").filter(clock_id=event.data.get("clock")).first()


def _on_clock_event(event) -> None:
    callback = _callback_of(event)
    if callback is None or not callback.is_booked:
        return  # logged already (a late call stops its clock with a breach first)
    case = event.case
    if event.kind == "sla.clock.warned":
        body = (
            f"Hello {{first_name}},\n\nA reminder: {_first_name(callback.agent)} will call you on "
            f"{callback.phone} soon: {_slot_words(case, callback.starts_at)}.\n"
        )
        message_send_automatic(case=case, kind=MessageKind.UPDATE, subject="Your call-back soon", body=body)
        return
    # Breached: nobody logged the call in its slot. Tell the customer at once who calls and when.
    caller = case.team.lead or callback.agent
    by = format_time(case, callback.ends_at + RESCUE_WITHIN)
    body = (
        f"Hello {{first_name}},\n\nWe did not call you when we said we would, and we are sorry. "
        f"{_first_name(caller)} will call you on {callback.phone} by {by}.\n"
    )
    message_send_automatic(case=case, kind=MessageKind.UPDATE, subject="We missed your call-back", body=body)
    record_event(
        case=case,
        kind="portal.callback.missed",
        at=event.created_at,
        data={"callback": callback.pk, "starts_at": callback.starts_at, "caller": caller.pk, "by": by},
    )


def _on_case_moved(event) -> None:
    """A case that closes calls nobody back: its booked call-back and clock are cancelled."""
    if event.case.is_open:
        return
    for callback in Callback.objects.select_for_update().filter(case=event.case, state=CallbackState.BOOKED):
        _close(callback, CallbackState.CANCELLED, at=event.created_at, note=callback.note)
        clock = (
            Clock.objects.select_for_update().filter(pk=callback.clock_id, stopped_at__isnull=True).first()
        )
        if clock is not None:
            clock_cancel(clock=clock, at=event.created_at)


def register() -> None:
    # Tells the customer and records its own event; changes nothing the sweep reads next.
    register_reaction({"sla.clock.warned", "sla.clock.breached"}, _on_clock_event, deferrable=True)
    register_reaction({"case.transitioned"}, _on_case_moved)
