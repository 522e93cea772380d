"""Fill a template with the case's facts.

Templates are plain text (an e-mail's text part, an SMS): a value we do not know becomes a
readable fallback, never "None", and an unknown or malformed placeholder is left as written so
the agent sees it in the preview instead of the customer seeing a crash.
"""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from cases.models import Case

PLACEHOLDER = re.compile(r"\{(\w+)\}")

FALLBACKS = {
    "first_name": "there",
    "reference": "your case",
    "owner": "our team",
    "product": "your order",
    "promised_time": "as soon as we can",
    "first_response_due": "as soon as we can",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def team_zone(case: Case) -> zoneinfo.ZoneInfo:
    link = getattr(case.team, "sla_calendar", None)
    name = link.calendar.tz if link is not None else timezone.get_default_timezone_name()
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def format_time(case: Case, at: datetime | None) -> str:
    if at is None:
        return ""
    local = at.astimezone(team_zone(case))
    return local.strftime("%A %d %B at %H:%M (%Z)").replace(" 0", " ")


def open_promise_due(case: Case) -> datetime | None:
    from sla.models import Clock
    from sla.rules import ClockKind

    clock = Clock.objects.filter(case=case, kind=ClockKind.PROMISE, stopped_at__isnull=True).first()
    return clock.due_at if clock else None


def first_response_due(case: Case) -> datetime | None:
    from sla.models import Clock
    from sla.rules import ClockKind

    clock = Clock.objects.filter(case=case, kind=ClockKind.FIRST_RESPONSE, stopped_at__isnull=True).first()
    return clock.due_at if clock else None


def case_facts(case: Case, *, promised_at: datetime | None = None) -> dict[str, str]:
    name = (case.customer.name or "").strip()
    owner = case.owner
    owner_name = (owner.get_full_name() or owner.get_username()) if owner else ""
    promised = promised_at or open_promise_due(case)
    return {
        "first_name": name.split()[0] if name else "",
        "reference": case.reference or "",
        "owner": owner_name,
        "product": str(case.product) if case.product_id else "",
        "promised_time": format_time(case, promised),
        "first_response_due": format_time(case, first_response_due(case)),
    }


def fill(text: str, facts: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        key = match.group(1)
        if key not in FALLBACKS:
            return match.group(0)
        return facts.get(key) or FALLBACKS[key]

    return PLACEHOLDER.sub(value, text)


def message_render(*, case: Case, subject: str, body: str, promised_at: datetime | None = None) -> Rendered:
    facts = case_facts(case, promised_at=promised_at)
    return Rendered(subject=fill(subject, facts), body=fill(body, facts))
