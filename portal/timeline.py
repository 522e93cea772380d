"""Timeline words for what happened on the customer's side."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def _when(value) -> str:
    instant = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(instant).strftime("%d %b %H:%M") if instant else "?"


def sentence(event) -> str:
    data = event.data or {}
    kind = event.kind
    if kind == "portal.reply":
        return "— the customer answered from their status page" + (
            " with a photo" if data.get("photo") else ""
        )
    if kind == "portal.callback.booked":
        who = "— the customer moved the call-back to" if data.get("by_customer") else "booked a call-back for"
        return f"{who} {_when(data.get('starts_at'))}"
    if kind == "portal.callback.confirmed":
        return f"— the customer confirmed the call-back at {_when(data.get('starts_at'))}"
    if kind == "portal.callback.made":
        return f"called the customer back (slot {_when(data.get('starts_at'))})"
    if kind == "portal.callback.dropped":
        return f"logged a dropped call (slot {_when(data.get('starts_at'))}); the next attempt is booked"
    if kind == "portal.callback.missed":
        when = _when(data.get("starts_at"))
        return f"— call-back at {when} missed: the customer was told who calls by {data.get('by')}"
    if kind == "portal.link.revoked":
        return "revoked the customer's status page link"
    return kind


def detail(event) -> str:
    data = event.data or {}
    return data.get("text") or data.get("note") or ""
