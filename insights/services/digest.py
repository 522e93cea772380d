"""The weekly digest's schedule and its sending, through the outbox's notification channel."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import outbox
from cases.permissions import is_lead
from sla.models import Notification, NotificationChannel
from sla.notify import CHANNEL, Message, notice_rows

from ..models import DigestSchedule
from ..selectors.digest import weekly_digest

BATCH = 50


def next_slot(*, weekday: int, hour: int, after: datetime.datetime) -> datetime.datetime:
    """The first local `weekday` at `hour`:00 strictly after `after` (DST-safe: built as a wall time)."""
    local = timezone.localtime(after)
    day = local.date() + datetime.timedelta(days=(weekday - local.weekday()) % 7)
    slot = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    if slot <= after:
        slot = timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=7), datetime.time(hour))
        )
    return slot


def digest_schedule_set(*, actor, weekday: int, hour: int, active: bool) -> DigestSchedule:
    """A lead or manager chooses when their digest arrives (or switches it off)."""
    if not is_lead(actor) or actor is None:
        raise PermissionDenied("The weekly digest is for team leads and managers.")
    now = timezone.now()
    due = next_slot(weekday=weekday, hour=hour, after=now) if active else None
    schedule, _ = DigestSchedule.objects.update_or_create(
        user=actor, defaults={"weekday": weekday, "hour": hour, "active": active, "next_due_at": due}
    )
    return schedule


def digest_message(user, *, now: datetime.datetime) -> Message:
    digest = weekly_digest(user, now=now)
    subject = f"Your week in Recovery: {digest.scope.start:%d %b} – {digest.scope.end:%d %b}"
    url = settings.SITE_URL + reverse("insights:digest")
    body = render_to_string("insights/digest.txt", {"digest": digest, "user": user, "digest_url": url})
    return Message(subject=subject, body=body)


def digest_send_due(*, now: datetime.datetime | None = None) -> int:
    """Beat's tick: every digest due, e-mailed (and put in the bell) through the outbox, then
    moved to its next slot in the same transaction, so a retried or doubled tick sends it once."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                DigestSchedule.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(next_due_at__lte=now)
                .order_by("next_due_at")[:BATCH]
            )
            for schedule in due:
                rows = [
                    row
                    for row in notice_rows(
                        users=[schedule.user],
                        case=None,
                        event=None,
                        message=digest_message(schedule.user, now=now),
                        at=now,
                    )
                    if row.channel != NotificationChannel.SMS  # a digest is for reading, not a text
                ]
                Notification.objects.bulk_create(rows)
                outbox.enqueue(CHANNEL, [r.pk for r in rows if r.next_attempt_at is not None])
                # From now, not from the missed slot: a worker down for a month sends one digest.
                schedule.next_due_at = next_slot(weekday=schedule.weekday, hour=schedule.hour, after=now)
                schedule.last_sent_at = now
                schedule.save(update_fields=["next_due_at", "last_sent_at"])
                sent += 1
        if len(due) < BATCH:
            return sent
