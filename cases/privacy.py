"""The registry of what each part of the product holds about a customer.

The case core knows only its own tables. Every concern that stores something about a customer
(mail intake, messages, notifications, webhooks, remedies, surveys) registers an eraser and an
exporter from its AppConfig.ready(); `customer_erase` and `customer_export` call them all, so a new
table with personal data is one `privacy.py` module away from being covered, with no arrow from the
core to the concern.

An eraser runs inside the erasure's transaction and returns counts per kind of thing it erased
(never the data). It keeps figures: dates, amounts, statuses, codes, sizes. Files it removes from
storage are removed after commit (`delete_file_on_commit`), so a rolled-back erasure loses nothing.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

ERASED = "[erased]"

# Keys whose values are somebody's own words or an address: replaced whole, wherever they appear in
# stored JSON (timeline event data, webhook payloads, stored API answers).
FREE_TEXT_KEYS = frozenset(
    {
        "address",
        "body",
        "comment",
        "complaint",
        "description",
        "email",
        "message",
        "name",
        "note",
        "phone",
        "recipient",
        "source_reference",
        "subject",
        "summary",
        "text",
    }
)
# Keys whose values are stored codes ("responded", "case.opened", "full_refund"): a customer called
# "Anna Open" must not turn a status into a marker. Everything else is searched for identifiers.
CODE_KEYS = frozenset(
    {"action", "channel", "currency", "event_type", "from", "kind", "outcome", "retained", "severity",
     "stage", "status", "to", "type"}
)  # fmt: skip


@dataclass(frozen=True)
class ErasureSubject:
    """The customer being erased, as the erasers need them: ids and the words that identify them."""

    customer_id: int
    case_ids: tuple[int, ...]
    name: str
    email: str
    phone: str
    identifiers: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, *, customer_id: int, case_ids: Iterable[int], name: str, email: str, phone: str):
        words = {name.strip(), email.strip(), phone.strip()}
        local_part = email.split("@")[0].strip() if "@" in email else ""
        words.add(local_part)
        words.update(part for part in name.split() if len(part) >= 4)  # a surname alone identifies
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 6:
            words.add(digits)
        # Shortest last, so "jane.doe@x" is replaced before "jane.doe" leaves "@x" behind.
        ordered = tuple(sorted((w for w in words if len(w) >= 3), key=len, reverse=True))
        return cls(
            customer_id=customer_id,
            case_ids=tuple(case_ids),
            name=name,
            email=email,
            phone=phone,
            identifiers=ordered,
        )

    def scrub(self, text: str) -> str:
        """`text` with every identifier of the customer replaced by the marker."""
        if not text:
            return text
        for word in self.identifiers:
            # Whole words only: "Anna" goes, "Annabel's" colleague stays.
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", ERASED, text, flags=re.IGNORECASE)
        return text

    @property
    def search_terms(self) -> tuple[str, ...]:
        """What to look for in tables not tied to their cases: whole name, e-mail, phone."""
        return tuple(w for w in (self.name.strip(), self.email.strip(), self.phone.strip()) if len(w) >= 3)

    def redact(self, value: Any) -> Any:
        """Stored JSON with free-text keys replaced whole and identifiers scrubbed elsewhere."""
        if isinstance(value, dict):
            return {key: self._redact_item(key, item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.redact(item) for item in value]
        if isinstance(value, str):
            return self.scrub(value)
        return value

    def _redact_item(self, key: str, item: Any) -> Any:
        if key in FREE_TEXT_KEYS:
            # A free-text field, or its before-and-after in a change: the words go whole.
            if isinstance(item, str) and item:
                return ERASED
            if isinstance(item, list) and all(isinstance(i, str) or i is None for i in item):
                return [ERASED if i else i for i in item]
        if key in CODE_KEYS and isinstance(item, str) and item.lower() not in self._lowered:
            return item
        return self.redact(item)

    @property
    def _lowered(self) -> set[str]:
        # A code is kept even when a name part spells it; never when it is the address itself.
        local_part = self.email.split("@")[0] if "@" in self.email else ""
        return {w.lower() for w in (*self.search_terms, local_part) if w}


Eraser = Callable[[ErasureSubject], dict[str, int]]
Exporter = Callable[[ErasureSubject], dict[str, Any]]

_erasers: dict[str, Eraser] = {}
_exporters: dict[str, Exporter] = {}


def register_eraser(name: str, fn: Eraser) -> None:
    """Called from AppConfig.ready(); registering the same name again replaces it (reloads)."""
    _erasers[name] = fn


def register_exporter(name: str, fn: Exporter) -> None:
    _exporters[name] = fn


def unregister_eraser(name: str) -> None:
    _erasers.pop(name, None)


def erasers() -> dict[str, Eraser]:
    return dict(_erasers)


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def delete_file_on_commit(file) -> bool:
    """Remove a stored file once the erasure commits; True when there was one."""
    if not file:
        return False
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))
    return True


def timeline_erasure_allowed():
    """Lets this transaction rewrite timeline event data, and only that (see migration 0005).

    The flag is transaction-local (`set_config(..., true)`) and switched off again at once, so
    nothing else in the same transaction inherits it.
    """
    return _TimelineErasure()


class _TimelineErasure:
    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('recovery.erasure', 'on', true)")
        return self

    def __exit__(self, exc_type, *exc):
        # After an error the transaction is aborted and rolls back, flag included.
        if exc_type is None and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('recovery.erasure', 'off', true)")
        return False
