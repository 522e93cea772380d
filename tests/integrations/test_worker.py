"""With a real Celery worker and beat: the on-commit kick delivers at once, the beat sweep catches
up on what the kick missed. Needs PostgreSQL and Redis (the worker is another process)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection

from integrations.models import WebhookDelivery
from integrations.subscriptions import webhook_subscription_create
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="a worker in another process needs PostgreSQL and Redis",
    ),
]


@pytest.fixture
def worker(tmp_path):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "1",
        "SECRET_KEY": "test-only-secret",
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",  # the test receiver listens there
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "recovery",
            "worker",
            "-B",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "-s",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
    )
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


def wait_for(condition, timeout: float = 40.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_the_worker_delivers_after_commit_and_the_sweep_catches_up(worker, receiver, lead, agent, team):
    webhook_subscription_create(
        actor=lead, name="CRM", url=receiver.url, event_types=["case.created"], secret=receiver.secret
    )

    kicked = factories.open_case(actor=agent, team=team)
    assert wait_for(lambda: len(receiver.processed) == 1), "the kick did not deliver"

    with mock.patch("cases.tasks.outbox_deliver.delay", side_effect=ConnectionError("broker down")):
        missed = factories.open_case(actor=agent, team=team)
    assert wait_for(lambda: len(receiver.processed) == 2), "the beat sweep did not catch up"

    assert [p["case"]["reference"] for p in receiver.processed] == [kicked.reference, missed.reference]
    assert all(r["valid"] for r in receiver.requests)
    assert WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 2
