"""Notices (in-app, e-mail and SMS) and messages to customers: the `notification` channel of the
outbox (`cases.outbox`).

Rows are written by `record_event(..., notice=Notice(...))` in the transaction of the event that
causes them, so an event and who is told about it never drift apart; the outbox loop delivers
them after commit, with a lease per row, retries and exponential backoff.
"""

import json
import logging
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from cases import outbox
from cases.events import Notice, register_outbox

from .models import Notification, NotificationChannel

log = logging.getLogger(__name__)

CHANNEL = "notification"

# Checks a concern registers (the SMS opt-outs): `check(phone)` answers why no SMS may go to that
# number, or "". Asked at each attempt, so a STOP that arrives after a message was queued counts.
_sms_refusals: list[Callable[[str], str]] = []
# Receipt states that end a delivery badly; the others ("sent", "delivered"...) only record it.
GATEWAY_FAILED = frozenset({"failed", "undelivered", "rejected", "expired"})
# Receipts arrive out of order: a state only moves forward (a late "sent" after "delivered" is
# ignored); our own "refused" is never overwritten.
GATEWAY_ORDER = {"accepted": 0, "queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4}
GATEWAY_ORDER |= dict.fromkeys(GATEWAY_FAILED, 4) | {"refused": 9}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def notice_rows(*, users, case, event, message: Message, at: datetime) -> list[Notification]:
    """One in-app notice per person, plus e-mail and SMS where they have an address."""
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
    return rows


def notice_write(event, notice: Notice) -> list[Notification]:
    """The outbox builder for `record_event(..., notice=Notice(...))`: the notices are written
    with the event and handed to the outbox when the transaction commits."""
    return notices_write([(event, notice)])[0]


def notices_write(pairs: list[tuple]) -> list[list[Notification]]:
    """The same for many events at once (events recorded together): one INSERT, one kick."""
    each = [
        notice_rows(
            users=notice.recipients,
            case=event.case,
            event=event,
            message=Message(subject=notice.subject[:200], body=notice.body),
            at=event.created_at,
        )
        for event, notice in pairs
    ]
    rows = [row for rows in each for row in rows]
    if rows:
        Notification.objects.bulk_create(rows)
        outbox.enqueue(CHANNEL, [r.pk for r in rows if r.next_attempt_at is not None])
    return each


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

    def send(self, *, to: str, text: str) -> str:
        """Returns the gateway's id for the message (its `sid`, `id` or `message_id`), or ""."""
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
            return _gateway_id(response.read(4096))


def _gateway_id(body: bytes) -> str:
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    found = next((answer[k] for k in ("sid", "id", "message_id") if answer.get(k)), "")
    return str(found)[:64]


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def _send(row: Notification) -> str:
    """Sends the row; for an SMS, returns the gateway's id for it when the backend gives one."""
    if row.channel == NotificationChannel.EMAIL:
        # A message to a customer carries its threading headers, so their answer finds the case.
        headers = row.customer_message.headers if hasattr(row, "customer_message") else None
        EmailMessage(
            row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.address], headers=headers
        ).send()
    elif row.channel == NotificationChannel.SMS:
        return sms_backend().send(to=row.address, text=f"{row.subject}\n{row.body}"[:600]) or ""
    return ""


# ---- delivery through the one outbox loop -------------------------------------------------------


def _lease() -> timedelta:
    # One attempt: the mail server's and the gateway's timeouts bound it.
    return timedelta(seconds=max(settings.EMAIL_TIMEOUT or 0, 10) * 2 + 30)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min... capped at an hour."""
    return outbox.backoff_ladder(settings.NOTIFY_BACKOFF_SECONDS, attempts, timedelta(hours=1))


def register_sms_refusal(check: Callable[[str], str]) -> None:
    if check not in _sms_refusals:
        _sms_refusals.append(check)


def sms_refusal(phone: str) -> str:
    return next((reason for check in _sms_refusals if (reason := check(phone))), "")


def _attempt(row: Notification) -> outbox.Attempt:
    if row.channel == NotificationChannel.SMS and (reason := sms_refusal(row.address)):
        return outbox.Attempt(
            ok=False, error=f"Refused: {reason}", final=True, record={"gateway_state": "refused"}
        )
    gateway_id = _send(row)
    return outbox.Attempt(ok=True, record={"gateway_id": gateway_id} if gateway_id else {})


def sms_receipt_record(*, gateway_id: str, state: str, error: str = "", at: datetime) -> Notification | None:
    """A delivery receipt from the SMS gateway: the row's state follows it, and a failure after
    the gateway accepted the message marks it failed with the gateway's reason.

    Returns the row when its state changed, None when nothing did: compare-and-set on the state,
    so a retried receipt changes nothing the second time, and a late "sent" never overwrites a
    "delivered" or a failure."""
    row = Notification.objects.filter(channel=NotificationChannel.SMS, gateway_id=gateway_id).first()
    if row is None or GATEWAY_ORDER.get(state, 0) <= GATEWAY_ORDER.get(row.gateway_state, -1):
        return None
    changes: dict = {"gateway_state": state}
    if state in GATEWAY_FAILED:
        changes |= {"failed_at": at, "last_error": f"Gateway: {state}" + (f" ({error})" if error else "")}
    if not Notification.objects.filter(pk=row.pk, gateway_state=row.gateway_state).update(**changes):
        return None  # another copy of this receipt got there first
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def register() -> None:
    outbox.register_channel(
        outbox.Channel(
            name=CHANNEL,
            model=Notification,
            send=_attempt,
            lease=_lease,
            backoff=backoff,
            max_attempts=lambda: settings.NOTIFY_MAX_ATTEMPTS,
            related=("customer_message",),
        )
    )
    register_outbox(notice_write, keyword="notice", many=notices_write)


def notification_retry(*, notification: Notification, actor) -> Notification:
    """A manager sends a failed notification again, with a fresh set of attempts."""
    if not actor.sees_all_teams:
        raise PermissionDenied("Only managers retry failed deliveries.")
    if notification.delivered_at is not None:
        return notification
    Notification.objects.filter(pk=notification.pk, delivered_at__isnull=True).update(
        failed_at=None, attempts=0, next_attempt_at=timezone.now(), leased_until=None
    )
    outbox.enqueue(CHANNEL, [notification.pk])
    notification.refresh_from_db()
    return notification


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
