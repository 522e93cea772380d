"""Webhooks: delivery rows written with the timeline event, sent after commit, retried with backoff.

`enqueue_for_event` is an outbox builder: `record_event` runs it inside the caller's transaction,
so an event and the promise to announce it commit together. Sending happens later, outside any
transaction, through the one outbox loop (cases.outbox): the `webhook` channel.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from accounts.models import Role, User
from cases import config, outbox
from cases.api.serializers import CaseOut
from cases.events import record_event, register_outbox

from . import egress
from .models import EventType, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

CHANNEL = "webhook"
CONFIG = "webhook-subscriptions"

# Timeline kinds and the public event each one is announced as.
KIND_TO_EVENT = {
    "case.opened": EventType.CASE_CREATED,
    "case.updated": EventType.CASE_UPDATED,
    "case.transitioned": EventType.CASE_TRANSITIONED,
    "case.closed": EventType.CASE_CLOSED,
    "case.assigned": EventType.CASE_UPDATED,
    "case.handed_off": EventType.CASE_UPDATED,
    "case.note.added": EventType.CASE_UPDATED,
    "case.triage.what_recorded": EventType.CASE_UPDATED,
    "case.triage.why_recorded": EventType.CASE_UPDATED,
    "case.triage.different_recorded": EventType.CASE_UPDATED,
    "case.corrective_action.added": EventType.CASE_UPDATED,
    "case.corrective_action.updated": EventType.CASE_UPDATED,
    "case.remedy.granted": EventType.REMEDY_GIVEN,
    # The SLA and remedies apps name their timeline kinds by what happened to the clock or the
    # request; integrators subscribe to the published names.
    "sla.clock.warned": EventType.CLOCK_WARNING,
    "sla.clock.breached": EventType.CLOCK_BREACHED,
    "sla.clock.escalated": EventType.ESCALATION_FIRED,
    "approval.escalated": EventType.ESCALATION_FIRED,
    "remedy.given": EventType.REMEDY_GIVEN,
    "approval.requested": EventType.APPROVAL_REQUESTED,
    "approval.decided": EventType.APPROVAL_DECIDED,
}
MAX_BACKOFF = datetime.timedelta(hours=6)
# Failures in a row must span this long before a subscription is paused: a receiver down for a
# few minutes, or one burst of failures, is retried, not paused.
PAUSE_AFTER_FAILING_FOR = datetime.timedelta(minutes=30)


def event_type_for(kind: str) -> str | None:
    """The public event for a timeline kind; kinds like 'case.clock.breached' map by their tail."""
    if kind in KIND_TO_EVENT:
        return KIND_TO_EVENT[kind]
    tail = ".".join(kind.split(".")[-2:])
    return tail if tail in EventType.values else None


def public_event_id(event_pk: int) -> str:
    return f"evt_{event_pk}"


def _payload(event, event_type: str) -> dict:
    return {
        "id": public_event_id(event.pk),
        "type": event_type,
        "created_at": event.created_at,
        "kind": event.kind,
        "actor": event.actor_id,
        "data": event.data,
        "case": CaseOut(event.case).data,
    }


def _subscriptions() -> list[WebhookSubscription]:
    # Read once per process and dropped on change (cases.config): most events have no
    # subscriber, and asking the database for each would cost a query per event.
    def load():
        return list(WebhookSubscription.objects.prefetch_related("teams").order_by("pk"))

    return config.cached(CONFIG, load)


def enqueue_for_event(event) -> list[WebhookDelivery]:
    """The outbox builder for every event: one delivery per matching subscription, in the
    caller's transaction. A paused subscription gets its deliveries too: they wait and go out when
    it is switched back on."""
    return enqueue_for_events([event])


def enqueue_for_events(events) -> list[WebhookDelivery]:
    """The same for many events at once (events recorded together): one INSERT, one kick."""
    subscriptions = _subscriptions()
    if not subscriptions:
        return []
    deliveries, active = [], set()
    for event in events:
        event_type = event_type_for(event.kind)
        if event_type is None:
            continue
        wanted = [
            sub
            for sub in subscriptions
            if sub.wants(event_type) and (not sub.team_ids or event.case.team_id in sub.team_ids)
        ]
        if not wanted:
            continue
        payload = json.loads(json.dumps(_payload(event, event_type), cls=DjangoJSONEncoder))
        deliveries += [
            WebhookDelivery(
                subscription_id=sub.pk,
                event=event,
                event_type=event_type,
                payload=payload,
                next_attempt_at=event.created_at,
                created_at=event.created_at,
            )
            for sub in wanted
        ]
        active |= {sub.pk for sub in wanted if sub.active}
    if not deliveries:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    outbox.enqueue(CHANNEL, [d.pk for d in deliveries if d.subscription_id in active])
    return deliveries


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


# --- Delivery through the one outbox loop (cases.outbox). ---


def _lease() -> datetime.timedelta:
    # One attempt: connecting and waiting for the answer are each bounded by the timeout. A worker
    # that dies mid-attempt gives the delivery back when this runs out, and not before.
    return datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 5)


def backoff(attempts: int) -> datetime.timedelta:
    return outbox.backoff_ladder(settings.WEBHOOK_BACKOFF_SECONDS, attempts, MAX_BACKOFF)


def _attempt(delivery: WebhookDelivery) -> outbox.Attempt:
    code, error = _send(delivery)
    ok = code is not None and 200 <= code < 300
    return outbox.Attempt(ok=ok, error="" if ok else (error or f"HTTP {code}"), record={"last_status": code})


def _recorded(delivery: WebhookDelivery) -> None:
    if delivery.delivered_at:
        WebhookSubscription.objects.filter(pk=delivery.subscription_id, failure_count__gt=0).update(
            failure_count=0, failing_since=None
        )
    else:
        _count_failure(delivery, now=timezone.now())


def register() -> None:
    outbox.register_channel(
        outbox.Channel(
            name=CHANNEL,
            model=WebhookDelivery,
            send=_attempt,
            lease=_lease,
            backoff=backoff,
            max_attempts=lambda: settings.WEBHOOK_MAX_ATTEMPTS,
            due=lambda qs: qs.filter(subscription__active=True),
            related=("subscription",),
            ladder=lambda delivery: delivery.attempts - delivery.ladder_from,
            recorded=_recorded,
        )
    )
    register_outbox(enqueue_for_event, many=enqueue_for_events)
    for model in (WebhookSubscription, WebhookSubscription.teams.through):
        post_save.connect(_changed, sender=model, dispatch_uid=f"webhooks-config-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"webhooks-config-del-{model.__name__}")
    m2m_changed.connect(
        _changed, sender=WebhookSubscription.teams.through, dispatch_uid="webhooks-config-m2m"
    )


def _changed(**kwargs) -> None:
    config.changed(CONFIG)


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Claim one delivery if it is due and attempt it."""
    return outbox.deliver(CHANNEL, delivery_id)


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    msg_id, timestamp = delivery.public_event_id, int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Recovery-Webhooks/1.0",
        "X-Recovery-Event": delivery.event_type,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            secret=delivery.subscription.secret, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    try:
        target = egress.target_for(delivery.subscription.url)
        return egress.post(target, body=body, headers=headers, timeout=timeout), ""
    except egress.Refused as exc:
        return None, str(exc)
    except (OSError, http.client.HTTPException) as exc:
        return None, (str(exc) or type(exc).__name__)[:500]


# --- Pausing a subscription that keeps failing, and resuming it. ---


def _count_failure(delivery: WebhookDelivery, *, now: datetime.datetime) -> None:
    """Pause after WEBHOOK_DISABLE_AFTER failures in a row spanning PAUSE_AFTER_FAILING_FOR: a
    burst of failures at one instant, or a receiver down for a few minutes, does not trip it."""
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
            failure_count=F("failure_count") + 1, failing_since=Coalesce("failing_since", Value(now))
        )
        sub = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
        if (
            not sub.active
            or sub.failure_count < settings.WEBHOOK_DISABLE_AFTER
            or now - sub.failing_since < PAUSE_AFTER_FAILING_FOR
        ):
            return
        minutes = int((now - sub.failing_since).total_seconds() // 60)
        sub.active = False
        sub.disabled_at = now
        sub.disabled_reason = (
            f"Paused after {sub.failure_count} failed attempts in a row over {minutes} minutes; "
            f"last: {delivery.last_error}"
        )
        sub.save(update_fields=["active", "disabled_at", "disabled_reason"])
        # On the timeline of the case whose event could not be delivered, so people see it there.
        record_event(
            case=delivery.event.case,
            kind="integration.webhook.disabled",
            data={"subscription": sub.pk, "name": sub.name, "url": sub.url, "reason": sub.disabled_reason},
        )
        transaction.on_commit(lambda: _tell_admins(sub.pk))
    logger.warning("Webhook subscription %s paused: %s", sub.pk, sub.disabled_reason)


def deliveries_release(*, subscription: WebhookSubscription) -> int:
    """On switching back on: what waited is due now, and goes oldest first. An attempt still in
    flight keeps its lease, so it is not sent twice."""
    released = subscription.deliveries.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now()
    )
    outbox.kick_due()
    return released


def _tell_admins(subscription_id: int) -> None:
    sub = WebhookSubscription.objects.get(pk=subscription_id)
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).exclude(email="")
    recipients = sorted({u.email for u in admins})
    if recipients:
        send_mail(
            subject=f"Webhook '{sub.name}' switched off",
            message=(
                f"{sub.disabled_reason}\n\nURL: {sub.url}\nDeliveries wait while it is paused; "
                "switching it back on (in the browser, the admin or the API) sends them, oldest first."
            ),
            from_email=None,
            recipient_list=recipients,
            fail_silently=True,
        )


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send an event again on request, with a fresh retry ladder; the event id stays the same and
    the log keeps counting attempts. An attempt in flight finishes first (it holds the lease)."""
    if not delivery.subscription.active:
        raise ValidationError("Switch the subscription back on before redelivering.")
    delivery.next_attempt_at = timezone.now()
    delivery.ladder_from = delivery.attempts
    delivery.failed_at = None
    delivery.save(update_fields=["next_attempt_at", "ladder_from", "failed_at"])
    outbox.enqueue(CHANNEL, [delivery.pk])
    return delivery
