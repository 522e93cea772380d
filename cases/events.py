"""The one funnel for "what happened": every change to a case records its event here.

`record_event` runs in the caller's transaction and writes, together:
- the timeline entry;
- what the event sets going in the concerns around the core (the SLA app starts and stops clocks
  when a case opens or moves): *reactions*, registered by kind;
- every outbox row that follows from it (in-app, e-mail and SMS notices, webhooks, messages to the
  customer): *outbox builders*, registered by the concerns that own those channels.

The core imports none of them: each concern registers itself in its AppConfig.ready(). So what
happened and who is told commit together or not at all, and cannot drift apart.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from .models import Case, CaseEvent

logger = logging.getLogger("recovery.events")

Reaction = Callable[[CaseEvent], None]
Builder = Callable[..., None]

_reactions: list[tuple[frozenset[str], Reaction]] = []
# Kinds whose reactions must run the moment the event is recorded (they change what the caller
# goes on to read); the others may run when a batch of events is written (see `together`).
_immediate_kinds: set[str] = set()
_every_event: list[Builder] = []
_by_keyword: dict[str, Builder] = {}
# Builders that write the rows of many events at once: keyword (or builder) -> many-builder.
_many: dict[object, Callable] = {}
_pending: ContextVar[list | None] = ContextVar("events recorded together", default=None)


@dataclass(frozen=True)
class Notice:
    """People to tell about an event, and the words to tell them in."""

    recipients: tuple
    subject: str
    body: str


def register_reaction(kinds: Iterable[str], reaction: Reaction, *, deferrable: bool = False) -> None:
    """`reaction(event)` runs in the same transaction after an event of one of these kinds.

    `deferrable`: the reaction changes nothing its caller reads next, so inside `together()` it
    may run when the batch is written; otherwise such an event is written at once, reaction and all.
    """
    kinds = frozenset(kinds)
    entry = (kinds, reaction)
    if entry not in _reactions:
        _reactions.append(entry)
    if not deferrable:
        _immediate_kinds.update(kinds)


def register_outbox(builder: Builder, *, keyword: str | None = None, many: Callable | None = None) -> None:
    """Without `keyword`, `builder(event)` runs for every event (webhooks decide what they
    announce). With one, `builder(event, value)` runs when record_event is given `keyword=value`:
    a concern names its outbox row, e.g. `notice=Notice(...)`.

    `many` writes the rows of several events in one go, for `together()`: `many(events)` for an
    every-event builder, `many([(event, value), ...])` for a keyword, returning one result each.
    """
    if keyword is None:
        if builder not in _every_event:
            _every_event.append(builder)
    else:
        _by_keyword[keyword] = builder
    if many is not None:
        _many[keyword or builder] = many


@contextmanager
def together() -> Iterator[None]:
    """Events recorded inside the block are written when it ends, in the caller's transaction:
    the timeline entries in one INSERT, then each outbox's rows in one INSERT and one kick. For
    a loop that records many events (the sweep): per event, two round trips instead of five.

    `record_event` then returns the event unsaved (no pk, no outbox results yet). An event whose
    kind has a reaction that is not deferrable writes what is waiting and itself at once. If the
    block raises, nothing waiting is written (the caller's transaction rolls back anyway).
    """
    if _pending.get() is not None:  # nested: the outer block writes them
        yield
        return
    pending: list = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    _write(pending)


def record_event(
    *, case: Case, kind: str, actor=None, data: dict[str, Any] | None = None, at=None, **outbox: Any
) -> CaseEvent:
    unknown = set(outbox) - set(_by_keyword)
    if unknown:  # a typo must not silently tell nobody
        raise TypeError(f"No outbox is registered for {', '.join(sorted(unknown))}.")
    event = CaseEvent(
        case=case,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        data=data or {},
        created_at=at or timezone.now(),
    )
    event.outbox = {}
    pending = _pending.get()
    if pending is not None:
        if kind not in _immediate_kinds:
            pending.append((event, outbox))
            return event
        _write(pending)  # what was recorded before comes first in the timeline
    event.save(force_insert=True)
    _react(event)
    # What each named builder wrote, for the caller (the message it queued, say).
    event.outbox = {k: _by_keyword[k](event, v) for k, v in outbox.items() if v is not None}
    for builder in _every_event:
        builder(event)
    _log(event)
    return event


def _react(event: CaseEvent) -> None:
    # Reactions first: the clocks a case's opening starts belong in what is announced about it.
    for kinds, reaction in _reactions:
        if event.kind in kinds:
            reaction(event)


def _log(event: CaseEvent) -> None:
    # Only codes go to the log, never the customer's words.
    logger.info(event.kind, extra={"case": event.case.reference, "event": event.pk, "actor": event.actor_id})


def _write(pending: list) -> None:
    """Write the events recorded together, then what follows from them, table by table."""
    if not pending:
        return
    batch, pending[:] = list(pending), []
    token = _pending.set(None)  # what the reactions record is written at once
    try:
        events = CaseEvent.objects.bulk_create([event for event, _ in batch])
        for event in events:
            _react(event)
        by_keyword: dict[str, list] = defaultdict(list)
        for event, outbox in batch:
            for keyword, value in outbox.items():
                if value is not None:
                    by_keyword[keyword].append((event, value))
        for keyword, pairs in by_keyword.items():
            many = _many.get(keyword)
            results = many(pairs) if many else [_by_keyword[keyword](e, v) for e, v in pairs]
            for (event, _), result in zip(pairs, results, strict=True):
                event.outbox[keyword] = result
        for builder in _every_event:
            many = _many.get(builder)
            if many:
                many(events)
            else:
                for event in events:
                    builder(event)
        for event in events:
            _log(event)
    finally:
        _pending.reset(token)


def plain(value: Any) -> Any:
    """A value as the timeline stores it: model instances by primary key."""
    return value.pk if isinstance(value, models.Model) else value
