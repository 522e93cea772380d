"""Celery tasks: thin wrappers over the services. Beat ticks them (recovery/settings.py)."""

from celery import shared_task

from .services.digest import digest_send_due
from .services.repeat import repeat_customers_refresh
from .services.rollup import rollup_refresh


@shared_task(name="insights.rollup_refresh", acks_late=True, ignore_result=True)
def rollup_refresh_task() -> int:
    return rollup_refresh()


@shared_task(name="insights.digest_send_due", acks_late=True, ignore_result=True)
def digest_send_due_task() -> int:
    return digest_send_due()


@shared_task(name="insights.repeat_customers_refresh", acks_late=True, ignore_result=True)
def repeat_customers_refresh_task() -> int:
    return repeat_customers_refresh()
