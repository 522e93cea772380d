import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from recovery.celery import app

# The scheduler closes database connections, which a test wrapped in a transaction cannot survive.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_sweep_and_the_deliverer_reach_the_database_scheduler_with_their_interval_and_expiry():
    DatabaseScheduler(app=app, lazy=True).update_from_dict(app.conf.beat_schedule)
    sweep = PeriodicTask.objects.get(name="sla-sweep")
    assert sweep.task == "sla.sweep"
    assert sweep.interval.every == settings.SLA_SWEEP_SECONDS and sweep.interval.period == "seconds"
    assert sweep.expire_seconds == settings.SLA_SWEEP_SECONDS
    assert (
        PeriodicTask.objects.get(name="outbox-deliver-due").expire_seconds == settings.NOTIFY_DELIVER_SECONDS
    )
