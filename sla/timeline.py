"""Readable timeline sentences for SLA events (the case page shows them among the others)."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .escalation import human_duration
from .rules import EscalationAction


def _when(value) -> str:
    instant = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(instant).strftime("%d %b %H:%M") if instant else "?"


def sentence(event) -> str:
    data = event.data or {}
    label = data.get("label") or data.get("kind", "clock")
    kind = event.kind
    if kind == "sla.clock.warned":
        return f"warned: {label} due at {_when(data.get('due_at'))}"
    if kind == "sla.clock.breached":
        return f"— {label} breached (was due {_when(data.get('due_at'))})"
    if kind == "sla.clock.escalated":
        action = data.get("action", "")
        words = EscalationAction(action).label if action in EscalationAction.values else action
        return f"escalated {label} ({data.get('level')}): {words.lower()}"
    if kind == "sla.clock.met":
        return f"— {label} met in {human_duration(data.get('business_minutes', 0) * 60)} of business time"
    if kind == "sla.clock.stopped_late":
        return f"— {label} done, {human_duration(data.get('late_seconds', 0))} late"
    if kind == "sla.promise.made":
        return f"promised the customer: {data.get('what')} by {_when(data.get('due_at'))}"
    if kind == "sla.customer.updated":
        return "sent the customer an update"
    return kind


def detail(event) -> str:
    data = event.data or {}
    if event.kind == "sla.clock.escalated":
        return data.get("outcome", "")
    if event.kind in ("sla.clock.breached", "sla.clock.warned") and data.get("lateness_seconds", 0) >= 60:
        return f"Detected {human_duration(data['lateness_seconds'])} after it was due."
    if event.kind == "sla.customer.updated":
        return data.get("note", "")
    return ""
