"""Celery tasks: thin wrappers; arguments are primary keys."""

from celery import shared_task

from . import idempotency, webhooks


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliver(delivery_id: int) -> None:
    webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def webhooks_deliver_due() -> None:
    # Loop while batches come back full, so a backlog drains within one tick.
    while webhooks.webhooks_deliver_due(batch=100) == 100:
        pass


@shared_task(acks_late=True, ignore_result=True)
def idempotency_keys_purge() -> None:
    idempotency.idempotency_keys_purge()
