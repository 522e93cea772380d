"""The notification outbox and its delivery: in-app, e-mail and SMS.

Rows are written in the transaction of the event that causes them (so an event and who is
told about it never drift apart) and delivered afterwards by Celery, outside any transaction,
with retries and exponential backoff. Delivery is at least once: a worker killed between
sending and recording can send a message twice, never lose it.
"""

import json
import logging
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification, NotificationChannel

log = logging.getLogger(__name__)

# While a worker holds a row it is leased: a worker that dies gives it back after this long.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def notify_users(
    *, users, case, event, message: Message, at: datetime, kick: bool = True
) -> list[Notification]:
    """Queue one in-app notice per person, plus e-mail and SMS where they have an address.

    With `kick`, delivery is enqueued when the transaction commits; the sweep passes False and
    enqueues one delivery for its whole run instead of one per clock.
    """
    rows, seen = [], set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        common = {"recipient": user, "case": case, "event": event, "created_at": at}
        common |= {"subject": message.subject, "body": message.body}
        # In-app notices are delivered by being written: the bell reads them from here.
        rows.append(Notification(channel=NotificationChannel.IN_APP, delivered_at=at, **common))
        if user.email:
            rows.append(
                Notification(
                    channel=NotificationChannel.EMAIL, address=user.email, next_attempt_at=at, **common
                )
            )
        if getattr(user, "phone", ""):
            rows.append(
                Notification(
                    channel=NotificationChannel.SMS, address=user.phone, next_attempt_at=at, **common
                )
            )
    if rows:
        Notification.objects.bulk_create(rows)
        if kick and any(r.next_attempt_at for r in rows):
            transaction.on_commit(kick_delivery)
    return rows


def kick_delivery() -> None:
    from .tasks import deliver_notifications

    try:
        deliver_notifications.delay()
    except Exception:  # the broker may be down: beat's periodic delivery picks the rows up later
        log.warning("could not enqueue notification delivery; the next periodic run will deliver")


# ---- channels ---------------------------------------------------------------------------------


class LogSmsBackend:
    """Development default: the message goes to the log."""

    def send(self, *, to: str, text: str) -> None:
        log.info("SMS to %s: %s", to, text)


class HttpSmsBackend:
    """Posts {"to", "text"} as JSON to an SMS gateway, authorised by a bearer token."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout

    def send(self, *, to: str, text: str) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("SMS_GATEWAY_URL must be an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=json.dumps({"to": to, "text": text}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def _send(row: Notification) -> None:
    if row.channel == NotificationChannel.EMAIL:
        # A message to a customer carries its threading headers, so their answer finds the case.
        headers = row.customer_message.headers if hasattr(row, "customer_message") else None
        EmailMessage(
            row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.address], headers=headers
        ).send()
    elif row.channel == NotificationChannel.SMS:
        sms_backend().send(to=row.address, text=f"{row.subject}\n{row.body}"[:600])


# ---- delivery ---------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min... capped at an hour."""
    return timedelta(seconds=min(settings.NOTIFY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1), 3600))


def _claim(now: datetime, batch: int) -> list[Notification]:
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:batch]
        )
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
        Notification.objects.bulk_update(rows, ["attempts", "next_attempt_at"])
    return rows


def notifications_deliver(*, now: datetime | None = None, batch: int = 100, rounds: int = 10) -> int:
    """Deliver due outbox rows; returns how many were delivered. No transaction is open while
    a message is sent, so a slow mail server never holds a lock."""
    delivered = 0
    for _ in range(rounds):
        now_ = now or timezone.now()
        rows = _claim(now_, batch)
        for row in rows:
            try:
                _send(row)
            except Exception as exc:
                _failed(row, exc)
            else:
                Notification.objects.filter(pk=row.pk).update(
                    delivered_at=timezone.now(), next_attempt_at=None, last_error=""
                )
                delivered += 1
        if len(rows) < batch:
            break
    return delivered


def _failed(row: Notification, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    log.warning("notification %s failed (attempt %s): %s", row.pk, row.attempts, error)
    now = timezone.now()
    if row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=None, failed_at=now, last_error=error)
    else:
        Notification.objects.filter(pk=row.pk).update(
            next_attempt_at=now + backoff(row.attempts), last_error=error
        )


def notification_retry(*, notification: Notification, actor) -> Notification:
    """A manager sends a failed notification again, with a fresh set of attempts."""
    if not actor.sees_all_teams:
        raise PermissionDenied("Only managers retry failed deliveries.")
    if notification.delivered_at is not None:
        return notification
    Notification.objects.filter(pk=notification.pk, delivered_at__isnull=True).update(
        failed_at=None, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(kick_delivery)
    notification.refresh_from_db()
    return notification


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
