"""One outbox loop for every channel: claim, lease, attempt, back off, and the on-commit kick.

The rows live with the concerns that own them (notices and customer messages in the SLA app's
`Notification`, webhooks in `WebhookDelivery`); each registers a `Channel` here in its
AppConfig.ready(). Delivery is the same for all of them:
- rows are written in the transaction of the event that causes them (through `record_event`);
- `enqueue` asks for their delivery once the transaction commits (the only place that does);
- a worker claims one due row with SKIP LOCKED and leases it for one attempt, counting the
  attempt as it starts, so a worker killed mid-send leaves the attempt in the log and gives the
  row back when the lease runs out, never before;
- the attempt runs outside any transaction; its result is recorded by compare-and-set on the
  lease, so a worker whose lease ran out cannot overwrite the attempt of the one that took over;
- a failure backs off exponentially until the channel's attempts run out.
Delivery is at least once: a worker killed between sending and recording can send twice.
The tasks run on their own queue, so a sweep working through a backlog never holds mail back.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    """What one try at sending a row came to; `record` holds channel-specific fields to store."""

    ok: bool
    error: str = ""
    record: dict = field(default_factory=dict)
    # A refusal no retry can change (an opted-out phone number): give up at once.
    final: bool = False


@dataclass(frozen=True)
class Channel:
    name: str
    model: type[models.Model]
    send: Callable[[models.Model], Attempt]
    lease: Callable[[], timedelta]
    backoff: Callable[[int], timedelta]
    max_attempts: Callable[[], int]
    # Narrows what is due (a paused webhook subscription keeps its rows waiting).
    due: Callable[[models.QuerySet], models.QuerySet] = lambda qs: qs
    related: tuple[str, ...] = ()
    # Attempts that count towards giving up (a redelivery starts a fresh ladder).
    ladder: Callable[[models.Model], int] = lambda row: row.attempts
    # Runs after the attempt is recorded (counting a receiver's failures, say).
    recorded: Callable[[models.Model], None] | None = None


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _channels[channel.name] = channel


def channel(name: str) -> Channel:
    return _channels[name]


def channels() -> list[Channel]:
    return list(_channels.values())


# ---- the kick ---------------------------------------------------------------------------------


def enqueue(name: str, ids: list[int]) -> None:
    """Deliver these rows once the caller's transaction commits; if the broker is down, the
    periodic `deliver_due` picks them up, so nothing is lost either way."""
    if ids:
        transaction.on_commit(lambda: _kick(name, list(ids)))


def kick_due() -> None:
    """After commit: deliver whatever is due now (rows released in bulk, say)."""
    transaction.on_commit(_kick_due)


# Rows per task when many are kicked at once (a sweep group's e-mails): one publish per chunk
# instead of one per row, and still several tasks for several outbox workers to share.
KICK_CHUNK = 10


def _kick(name: str, ids: list[int]) -> None:
    from .tasks import outbox_deliver, outbox_deliver_rows

    for start in range(0, len(ids), KICK_CHUNK):
        chunk = ids[start : start + KICK_CHUNK]
        try:
            if len(chunk) == 1:
                outbox_deliver.delay(name, chunk[0])
            else:
                outbox_deliver_rows.delay(name, chunk)
        except Exception:  # the broker may be down: the periodic run delivers them
            logger.warning(
                "Could not enqueue %s deliveries %s; the periodic run will.", name, chunk, exc_info=True
            )
            return


def _kick_due() -> None:
    from .tasks import outbox_deliver_due

    try:
        outbox_deliver_due.delay()
    except Exception:
        logger.warning("Could not enqueue the outbox run; the beat will.", exc_info=True)


# ---- claim, attempt, record ---------------------------------------------------------------------


def claim(ch: Channel, *, now: datetime, pk: int | None = None) -> models.Model | None:
    """Lease one due row for one attempt, or None when nothing is due or free."""
    due = ch.due(ch.model.objects.filter(next_attempt_at__lte=now)).exclude(leased_until__gt=now)
    if pk is not None:
        due = due.filter(pk=pk)
    with transaction.atomic():
        row = (
            due.select_related(*ch.related)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None  # nothing due, or every due row is being claimed by another worker
        row.attempts += 1
        row.leased_until = now + ch.lease()
        row.save(update_fields=["attempts", "leased_until"])
    return row


def attempt(ch: Channel, row: models.Model) -> models.Model:
    lease = row.leased_until
    try:
        result = ch.send(row)
    except Exception as exc:  # any failure of a channel is retried, never lost
        result = Attempt(ok=False, error=f"{type(exc).__name__}: {exc}"[:1000])
    now = timezone.now()
    changes = {"last_error": "", "leased_until": None, **result.record}
    if result.ok:
        changes |= {"delivered_at": now, "next_attempt_at": None}
    else:
        changes["last_error"] = result.error or "failed"
        ladder = ch.ladder(row)
        if result.final or ladder >= ch.max_attempts():
            changes |= {"failed_at": now, "next_attempt_at": None}
        else:
            changes["next_attempt_at"] = now + ch.backoff(ladder)
        logger.warning(
            "%s delivery %s failed (attempt %s): %s", ch.name, row.pk, row.attempts, changes["last_error"]
        )
    # Compare-and-set on our lease: if it ran out and another worker took the row over, that
    # worker's attempt is the one the log keeps.
    if not ch.model.objects.filter(pk=row.pk, leased_until=lease).update(**changes):
        return row
    for name, value in changes.items():
        setattr(row, name, value)
    if ch.recorded is not None:
        ch.recorded(row)
    return row


def deliver(name: str, pk: int) -> models.Model | None:
    """Claim one row if it is due and attempt it."""
    ch = channel(name)
    row = claim(ch, now=timezone.now(), pk=pk)
    return attempt(ch, row) if row is not None else None


def deliver_due(*, limit: int = 500) -> int:
    """Attempt due rows of every channel, one claim and one attempt at a time, up to `limit`;
    returns how many were attempted."""
    done = 0
    pending = channels()
    while pending and done < limit:
        for ch in list(pending):
            row = claim(ch, now=timezone.now())
            if row is None:
                pending.remove(ch)
                continue
            attempt(ch, row)
            done += 1
    return done


def backoff_ladder(base_seconds: float, attempts: int, cap: timedelta) -> timedelta:
    """base, 2 x base, 4 x base... capped."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), cap)
