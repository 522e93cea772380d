"""Celery tasks: thin wrappers; arguments are primary keys."""

from celery import shared_task

from . import idempotency


@shared_task(acks_late=True, ignore_result=True)
def idempotency_keys_purge() -> None:
    idempotency.idempotency_keys_purge()
