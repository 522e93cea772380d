"""Webhooks: delivery rows written with the timeline event, sent after commit, retried with backoff.

`enqueue_for_event` runs inside the caller's transaction (called by `record_event`), so an event
and the promise to announce it commit together. Sending happens later, outside any transaction,
in a Celery task kicked on commit and in a beat sweep that picks up whatever is due.
"""

import datetime
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Role, User

from .models import EventType, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

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


def event_type_for(kind: str) -> str | None:
    """The public event for a timeline kind; kinds like 'case.clock.breached' map by their tail."""
    if kind in KIND_TO_EVENT:
        return KIND_TO_EVENT[kind]
    tail = ".".join(kind.split(".")[-2:])
    return tail if tail in EventType.values else None


def public_event_id(event_pk: int) -> str:
    return f"evt_{event_pk}"


def _payload(event, event_type: str) -> dict:
    from cases.api.serializers import CaseOut  # the API's case shape; imported late to avoid a cycle

    return {
        "id": public_event_id(event.pk),
        "type": event_type,
        "created_at": event.created_at,
        "kind": event.kind,
        "actor": event.actor_id,
        "data": event.data,
        "case": CaseOut(event.case).data,
    }


def enqueue_for_event(event) -> list[WebhookDelivery]:
    """Write one delivery per matching active subscription, in the caller's transaction."""
    event_type = event_type_for(event.kind)
    if event_type is None:
        return []
    subscriptions = [
        sub
        for sub in WebhookSubscription.objects.filter(active=True)
        .filter(Q(teams=None) | Q(teams=event.case.team_id))
        .distinct()
        if sub.wants(event_type)
    ]
    if not subscriptions:
        return []
    payload = json.loads(json.dumps(_payload(event, event_type), cls=DjangoJSONEncoder))
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=sub,
            event=event,
            event_type=event_type,
            payload=payload,
            next_attempt_at=event.created_at,
            created_at=event.created_at,
        )
        for sub in subscriptions
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _kick(ids))
    return deliveries


def _kick(ids: list[int]) -> None:
    from .tasks import webhook_deliver

    for pk in ids:
        try:
            webhook_deliver.delay(pk)
        except Exception:  # the broker is down: the beat sweep delivers it later, nothing is lost
            logger.warning(
                "Could not enqueue webhook delivery %s; the sweep will send it.", pk, exc_info=True
            )


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _lease() -> datetime.timedelta:
    # Long enough for one attempt; a worker that dies mid-attempt releases the row when it expires.
    return datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30)


def backoff(attempts: int) -> datetime.timedelta:
    return min(
        datetime.timedelta(seconds=settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempts - 1)), MAX_BACKOFF
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer we report, not one we follow with the signed body


_opener = urllib.request.build_opener(_NoRedirects)


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    request = urllib.request.Request(  # noqa: S310 - subscribers' URLs are validated http(s) URLs
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Recovery-Webhooks/1.0",
            "X-Recovery-Event": delivery.event_type,
            "X-Recovery-Delivery": delivery.public_event_id,
            "X-Recovery-Signature": sign(delivery.subscription.secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Claim one due delivery (compare-and-set on next_attempt_at) and attempt it."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, next_attempt_at__lte=now).update(
        next_attempt_at=now + _lease()
    )
    if not claimed:
        return None  # delivered already, not due yet, or another worker holds it
    return _attempt(WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id))


def webhooks_deliver_due(*, batch: int = 100) -> int:
    """The beat sweep: claim what is due with SKIP LOCKED, then send outside the transaction."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + _lease())
    for delivery in WebhookDelivery.objects.select_related("subscription").filter(pk__in=ids):
        _attempt(delivery)
    return len(ids)


def _attempt(delivery: WebhookDelivery) -> WebhookDelivery:
    subscription = delivery.subscription
    if not subscription.active:
        delivery.next_attempt_at = None
        delivery.last_error = "Not sent: the subscription is switched off."
        delivery.save(update_fields=["next_attempt_at", "last_error"])
        return delivery
    code, error = _send(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status = code
    if code is not None and 200 <= code < 300:
        delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = now, None, ""
        delivery.save(
            update_fields=["attempts", "last_status", "delivered_at", "next_attempt_at", "last_error"]
        )
        WebhookSubscription.objects.filter(pk=subscription.pk, failure_count__gt=0).update(failure_count=0)
        return delivery
    delivery.last_error = error or f"HTTP {code}"
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.failed_at, delivery.next_attempt_at = now, None
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_status", "last_error", "failed_at", "next_attempt_at"])
    _count_failure(subscription, delivery)
    return delivery


def _count_failure(subscription: WebhookSubscription, delivery: WebhookDelivery) -> None:
    from cases.events import record_event  # late: cases.events calls into this module

    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(failure_count=F("failure_count") + 1)
        sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if not sub.active or sub.failure_count < settings.WEBHOOK_DISABLE_AFTER:
            return
        sub.active = False
        sub.disabled_at = timezone.now()
        sub.disabled_reason = (
            f"Switched off after {sub.failure_count} failed attempts in a row; last: {delivery.last_error}"
        )
        sub.save(update_fields=["active", "disabled_at", "disabled_reason"])
        # On the timeline of the case whose event could not be delivered, so people see it there.
        record_event(
            case=delivery.event.case,
            kind="integration.webhook.disabled",
            data={"subscription": sub.pk, "name": sub.name, "url": sub.url, "reason": sub.disabled_reason},
        )
        transaction.on_commit(lambda: _tell_admins(sub.pk))
    logger.warning("Webhook subscription %s switched off: %s", sub.pk, sub.disabled_reason)


def _tell_admins(subscription_id: int) -> None:
    sub = WebhookSubscription.objects.get(pk=subscription_id)
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).exclude(email="")
    recipients = sorted({u.email for u in admins})
    if recipients:
        send_mail(
            subject=f"Webhook '{sub.name}' switched off",
            message=f"{sub.disabled_reason}\n\nURL: {sub.url}\nTurn it back on in the admin or with the API.",
            from_email=None,
            recipient_list=recipients,
            fail_silently=True,
        )


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send an event again on request, with a fresh retry ladder; the event id stays the same."""
    if not delivery.subscription.active:
        raise ValidationError("Switch the subscription back on before redelivering.")
    delivery.next_attempt_at = timezone.now()
    delivery.attempts = 0
    delivery.failed_at = None
    delivery.save(update_fields=["next_attempt_at", "attempts", "failed_at"])
    pk = delivery.pk
    transaction.on_commit(lambda: _kick([pk]))
    return delivery
