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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from .models import Case, CaseEvent

logger = logging.getLogger("recovery.events")

Reaction = Callable[[CaseEvent], None]
Builder = Callable[..., None]

_reactions: list[tuple[frozenset[str], Reaction]] = []
_every_event: list[Builder] = []
_by_keyword: dict[str, Builder] = {}


@dataclass(frozen=True)
class Notice:
    """People to tell about an event, and the words to tell them in."""

    recipients: tuple
    subject: str
    body: str


def register_reaction(kinds: Iterable[str], reaction: Reaction) -> None:
    """`reaction(event)` runs in the same transaction after an event of one of these kinds."""
    entry = (frozenset(kinds), reaction)
    if entry not in _reactions:
        _reactions.append(entry)


def register_outbox(builder: Builder, *, keyword: str | None = None) -> None:
    """Without `keyword`, `builder(event)` runs for every event (webhooks decide what they
    announce). With one, `builder(event, value)` runs when record_event is given `keyword=value`:
    a concern names its outbox row, e.g. `notice=Notice(...)`."""
    if keyword is None:
        if builder not in _every_event:
            _every_event.append(builder)
    else:
        _by_keyword[keyword] = builder


def record_event(
    *, case: Case, kind: str, actor=None, data: dict[str, Any] | None = None, at=None, **outbox: Any
) -> CaseEvent:
    unknown = set(outbox) - set(_by_keyword)
    if unknown:  # a typo must not silently tell nobody
        raise TypeError(f"No outbox is registered for {', '.join(sorted(unknown))}.")
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        data=data or {},
        created_at=at or timezone.now(),
    )
    # Reactions first: the clocks a case's opening starts belong in what is announced about it.
    for kinds, reaction in _reactions:
        if kind in kinds:
            reaction(event)
    # What each named builder wrote, for the caller (the message it queued, say).
    event.outbox = {k: _by_keyword[k](event, v) for k, v in outbox.items() if v is not None}
    for builder in _every_event:
        builder(event)
    # Only codes go to the log, never the customer's words.
    logger.info(kind, extra={"case": case.reference, "event": event.pk, "actor": event.actor_id})
    return event


def plain(value: Any) -> Any:
    """A value as the timeline stores it: model instances by primary key."""
    return value.pk if isinstance(value, models.Model) else value
