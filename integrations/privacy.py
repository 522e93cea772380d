"""What integrations hold about a customer: webhook payloads sent out and stored API answers."""

from django.db.models import Q

from cases.models import IdempotencyKey
from cases.privacy import ErasureSubject, register_eraser, register_exporter

from .models import WebhookDelivery


def integrations_erase(subject: ErasureSubject) -> dict[str, int]:
    """Payloads keep their ids, types, codes and times; names, addresses and words are overwritten."""
    deliveries = 0
    for delivery in WebhookDelivery.objects.filter(event__case_id__in=subject.case_ids).only(
        "id", "payload", "last_error"
    ):
        payload, last_error = subject.redact(delivery.payload), subject.scrub(delivery.last_error)
        if (payload, last_error) != (delivery.payload, delivery.last_error):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(payload=payload, last_error=last_error)
            deliveries += 1
    stored = 0
    where = Q(pk__in=[])
    for term in subject.search_terms:
        where |= Q(body__icontains=term)
    # A retried POST gets the stored answer again: it stays valid, only the personal data goes.
    for key in IdempotencyKey.objects.filter(where):
        IdempotencyKey.objects.filter(pk=key.pk).update(body=subject.redact(key.body))
        stored += 1
    return {"integrations.webhook_deliveries": deliveries, "integrations.stored_answers": stored}


def integrations_export(subject: ErasureSubject) -> list[dict]:
    """Who the customer's data was sent to: each webhook delivery, without repeating the payload."""
    return [
        {
            "event": d.public_event_id,
            "event_type": d.event_type,
            "receiver": d.subscription.name,
            "url": d.subscription.url,
            "created_at": d.created_at.isoformat(),
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
        }
        for d in WebhookDelivery.objects.filter(event__case_id__in=subject.case_ids)
        .select_related("subscription")
        .order_by("created_at", "id")
    ]


def register() -> None:
    register_eraser("integrations", integrations_erase)
    register_exporter("integrations", integrations_export)
