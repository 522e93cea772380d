"""The SLA sweep's heartbeat: written after each completed run, read by /readyz.

In the database, so every web process sees what the worker last did; one row, upserted.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Clock, Heartbeat

SWEEP = "sla.sweep"


def heartbeat_record(*, name: str = SWEEP, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"completed_at": at or timezone.now()})


def heartbeat_last(*, name: str = SWEEP) -> datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("completed_at", flat=True).first()


def sweep_stale_seconds() -> int:
    return settings.SLA_SWEEP_STALE_SECONDS or 3 * settings.SLA_SWEEP_SECONDS + 60


def sweep_health(*, now: datetime | None = None, serving_since: datetime) -> tuple[bool, datetime | None]:
    """Whether the sweep has completed a run recently enough, and when it last did.

    Stale once the last run is older than sweep_stale_seconds(). A process that started less
    than that long ago gives beat and the worker that long to run a first sweep. With no run
    recorded at all (a new installation) the sweep counts as stale only once a clock has been
    waiting for it longer than the threshold: then work is overdue and nobody is doing it.
    """
    now = now or timezone.now()
    limit = timedelta(seconds=sweep_stale_seconds())
    last = heartbeat_last()
    if now - serving_since < limit:
        return True, last
    if last is not None:
        return now - last <= limit, last
    overdue = Clock.objects.filter(stopped_at__isnull=True, next_check_at__lt=now - limit).exists()
    return not overdue, None
