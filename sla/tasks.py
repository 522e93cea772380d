"""Celery tasks: thin wrappers. Deadlines live in the database; beat only ticks these."""

from celery import shared_task

from .escalation import sweep
from .heartbeat import heartbeat_record


@shared_task(name="sla.sweep", acks_late=True, ignore_result=True)
def sweep_clocks() -> dict:
    report = sweep()
    heartbeat_record()  # only after a completed run: /readyz tells a sweep that stopped
    return {"clocks": report.clocks, "fired": report.fired, "failed": report.failed}
