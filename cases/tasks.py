"""Celery tasks of the core: thin wrappers; arguments are primary keys."""

from celery import shared_task

from . import outbox
from .api.idempotency import idempotency_keys_purge as purge_idempotency_keys


@shared_task(name="outbox.deliver", acks_late=True, ignore_result=True)
def outbox_deliver(channel: str, pk: int) -> None:
    outbox.deliver(channel, pk)


@shared_task(name="outbox.deliver_rows", acks_late=True, ignore_result=True)
def outbox_deliver_rows(channel: str, pks: list[int]) -> None:
    for pk in pks:
        outbox.deliver(channel, pk)


@shared_task(name="outbox.deliver_due", acks_late=True, ignore_result=True)
def outbox_deliver_due() -> int:
    # Loops while rows keep coming, so a backlog drains within one tick.
    total = 0
    while (done := outbox.deliver_due(limit=500)) == 500:
        total += done
    return total + done


@shared_task(name="idempotency.purge", acks_late=True, ignore_result=True)
def idempotency_keys_purge() -> int:
    return purge_idempotency_keys()
