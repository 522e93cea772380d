"""The case's conversation: every message in and out, and the internal notes, in one thread."""

from dataclasses import dataclass
from datetime import datetime

from cases.models import Case

from .models import CustomerMessage

INBOUND = "case.customer_message"
NOTE = "case.note.added"


@dataclass(frozen=True)
class Entry:
    direction: str  # "out" to the customer, "in" from them, "note" for the team only
    at: datetime
    who: str
    channel: str
    subject: str
    body: str
    state: str = ""  # delivery of an outgoing message: queued, delivered, failed
    kind: str = ""
    reply_to: str = ""  # a mail reply names the subject it answers
    address: str = ""


def _state(message: CustomerMessage) -> str:
    if message.notification.delivered_at:
        return "delivered"
    if message.notification.failed_at:
        return "failed"
    return "queued"


def case_conversation(case: Case, *, limit: int = 50) -> list[Entry]:
    """Oldest first, as a thread reads; the newest `limit` entries."""
    entries = [
        Entry(
            direction="out",
            at=m.created_at,
            who=str(m.sent_by) if m.sent_by else "Automatic",
            channel=m.get_channel_display(),
            subject=m.subject,
            body=m.body,
            state=_state(m),
            kind=m.get_kind_display(),
            address=m.address,
        )
        for m in CustomerMessage.objects.filter(case=case)
        .select_related("notification", "sent_by")
        .order_by("-created_at", "-id")[:limit]
    ]
    events = (
        case.events.filter(kind__in=[INBOUND, NOTE]).select_related("actor").order_by("-created_at", "-id")
    )
    for event in events[:limit]:
        data = event.data or {}
        if event.kind == INBOUND:
            subject = data.get("subject", "")
            entries.append(
                Entry(
                    direction="in",
                    at=event.created_at,
                    who=data.get("name") or data.get("from") or case.customer.name,
                    channel="E-mail",
                    subject=subject,
                    body=data.get("text", ""),
                    reply_to=subject if subject.lower().startswith("re:") else "",
                )
            )
        else:
            entries.append(
                Entry(
                    direction="note",
                    at=event.created_at,
                    who=str(event.actor) if event.actor else "System",
                    channel="Internal note",
                    subject="",
                    body=data.get("text", ""),
                )
            )
    entries.sort(key=lambda e: e.at)
    return entries[-limit:]
