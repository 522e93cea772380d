"""The periodic jobs are registered and do their bounded work."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from cases.api.idempotency import idempotency_keys_purge
from cases.models import IdempotencyKey
from recovery.celery import app

pytestmark = pytest.mark.django_db


def test_beat_ticks_the_webhook_sweep_and_the_idempotency_purge():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "outbox.deliver_due",
        "idempotency.purge",
    } <= scheduled
    assert scheduled <= set(app.tasks)


def test_idempotency_keys_are_forgotten_after_a_day(agent, time_machine):
    time_machine.move_to(timezone.now() - datetime.timedelta(hours=25), tick=False)
    IdempotencyKey.objects.create(user=agent, key="old", fingerprint="x", status_code=201, body={})
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=24, minutes=30), tick=False)
    IdempotencyKey.objects.create(user=agent, key="new", fingerprint="x", status_code=201, body={})

    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_the_outbox_task_runs_with_nothing_due():
    from cases.tasks import outbox_deliver_due

    assert outbox_deliver_due() == 0
