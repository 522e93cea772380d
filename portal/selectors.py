"""What the status page shows: only this case, only what the customer may see."""

from dataclasses import dataclass
from datetime import datetime

from cases.models import Case, CaseEvent, Status
from messaging.models import CustomerMessage
from messaging.rendering import format_time, team_zone
from sla.models import Clock
from sla.rules import ClockKind

from .callbacks import free_slots
from .links import without_footer
from .models import Callback, CallbackState, StatusLink

# Where the case stands, in the customer's words (labels for the stored status, not rules).
STANDING = {
    Status.NEW: "We have your message. A person from our team will answer you soon.",
    Status.RESPONDED: "{owner} is working on it for you.",
    Status.WAITING_ON_CUSTOMER: "We are waiting for your answer: please reply below.",
    Status.RESOLVED: "We believe it is put right. If anything is still wrong, tell us below.",
    Status.FOLLOWED_UP: "It is put right, and we have checked back with you.",
    Status.CLOSED: "This case is closed. Thank you for your patience.",
}
MAX_MESSAGES = 30


@dataclass(frozen=True)
class Entry:
    at: datetime
    from_us: bool
    text: str
    photo: bool = False


def short_time(case: Case, at: datetime) -> str:
    """ "Wed 2 Dec, 09:30": fits a phone's select box."""
    local = at.astimezone(team_zone(case))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def _first_name(user) -> str:
    if user is None:
        return ""
    return (user.first_name or user.get_username()).split()[0]


def _conversation(case: Case) -> list[Entry]:
    ours = [
        Entry(at=m.created_at, from_us=True, text=without_footer(m.body))
        for m in CustomerMessage.objects.filter(case=case).only("created_at", "body")[:MAX_MESSAGES]
    ]
    theirs = [
        Entry(
            at=e.created_at,
            from_us=False,
            text=e.data.get("text") or "",
            photo=bool(e.data.get("photo")),
        )
        for e in CaseEvent.objects.filter(case=case, kind__in=["portal.reply", "case.customer_message"])
        .order_by("-created_at", "-id")
        .only("created_at", "data")[:MAX_MESSAGES]
    ]
    return sorted(ours + theirs, key=lambda entry: entry.at)[-MAX_MESSAGES:]


def status_page(link: StatusLink) -> dict:
    case = link.case
    owner = _first_name(case.owner)
    promise = Clock.objects.filter(case=case, kind=ClockKind.PROMISE, stopped_at__isnull=True).first()
    callback = Callback.objects.select_related("agent").filter(case=case, state=CallbackState.BOOKED).first()
    slots = free_slots(case=case, agent=callback.agent, limit=24) if callback and case.is_open else []
    return {
        "case": case,
        "first_name": (case.customer.name or "").split()[0] if case.customer.name else "",
        "owner": owner,
        "standing": STANDING.get(case.status, "").format(owner=owner or "Our team"),
        "promise": promise,
        "promise_due": format_time(case, promise.due_at) if promise else "",
        "callback": callback,
        "callback_agent": _first_name(callback.agent) if callback else "",
        "callback_time": format_time(case, callback.starts_at) if callback else "",
        "slots": [(slot.isoformat(), short_time(case, slot)) for slot in slots],
        "conversation": _conversation(case),
    }


FEED_KINDS = ["portal.reply", "portal.callback.booked", "portal.callback.confirmed", "portal.callback.missed"]


def case_feed(case: Case) -> dict:
    """For the agent: what the customer did lately on their page, and the call-back booked."""
    events = CaseEvent.objects.filter(case=case, kind__in=FEED_KINDS).order_by("-created_at", "-id")[:8]
    photos = {p.pk: p for p in case.customer_photos.all()}
    callback = Callback.objects.select_related("agent").filter(case=case, state=CallbackState.BOOKED).first()
    return {
        "case": case,
        "feed": [(event, photos.get((event.data or {}).get("photo"))) for event in events],
        "callback": callback,
    }
