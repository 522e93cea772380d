"""The one funnel for "what happened": every change to a case records its event here.

Called inside the caller's transaction, so the timeline and the change commit together.
"""

import logging
from typing import Any

from django.db import models
from django.utils import timezone

from integrations.webhooks import enqueue_for_event

from .models import Case, CaseEvent

logger = logging.getLogger("recovery.events")


def record_event(
    *, case: Case, kind: str, actor=None, data: dict[str, Any] | None = None, at=None
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        data=data or {},
        created_at=at or timezone.now(),
    )
    enqueue_for_event(event)  # webhook deliveries commit with the event, or not at all
    # Only codes go to the log, never the customer's words.
    logger.info(kind, extra={"case": case.reference, "event": event.pk, "actor": event.actor_id})
    return event


def plain(value: Any) -> Any:
    """A value as the timeline stores it: model instances by primary key."""
    return value.pk if isinstance(value, models.Model) else value
