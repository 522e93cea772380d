"""End to end with a real Celery worker and beat on Redis and PostgreSQL: nobody touches the
case, and it warns, breaches and escalates on its own; the notifications reach the outbox and
are delivered."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import Case
from sla.models import EscalationStep, Firing, Notification, Policy, Target
from sla.policies import policies_ensure_defaults
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)",
    ),
]


def wait_for(check, timeout=60.0, every=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


@pytest.fixture
def worker(tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "SLA_SWEEP_SECONDS": "1",
        "NOTIFY_DELIVER_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    log = open(tmp_path / "celery.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "recovery",
            "worker",
            "-B",
            "--concurrency=2",
            "--loglevel=INFO",
            "-s",
            str(tmp_path / "beat-schedule"),
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield tmp_path / "celery.log"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_a_case_with_a_short_target_warns_breaches_and_escalates_on_its_own(worker, team, agent, lead):
    policies_ensure_defaults()
    team.lead = lead
    team.save()
    agent.email = "ava@example.com"
    agent.save()
    policy = Policy.objects.create(name="Web form, one minute", channel="web_form")
    target = Target.objects.create(
        policy=policy, kind="first_response", minutes=1, business_hours=False, warnings=[{"percent": 50}]
    )
    EscalationStep.objects.create(
        target=target, level=1, base="breach", offset_minutes=0, action="notify_lead"
    )
    EscalationStep.objects.create(
        target=target, level=2, base="breach", offset_minutes=0, action="reassign_lead"
    )
    # Opened 50 s ago: the warning is already due, the breach comes 10 s from now.
    case = factories.open_case(
        actor=agent, team=team, channel="web_form", opened_at=timezone.now() - timedelta(seconds=50)
    )

    assert wait_for(lambda: Firing.objects.filter(clock__case=case, level="warn-1").exists(), 30), (
        worker.read_text()
    )
    assert wait_for(lambda: Firing.objects.filter(clock__case=case, level="L2").exists(), 40), (
        worker.read_text()
    )

    case = Case.objects.get(pk=case.pk)
    assert case.owner == lead
    kinds = list(case.events.filter(kind__startswith="sla.").values_list("kind", flat=True))
    assert kinds.count("sla.clock.warned") == 1 and kinds.count("sla.clock.breached") == 1
    assert kinds.count("sla.clock.escalated") == 2
    breach = Firing.objects.get(clock__case=case, level="breach")
    assert breach.lateness_seconds < 3  # beat ticks every second here
    assert wait_for(
        lambda: Notification.objects.filter(
            channel="email", recipient=agent, delivered_at__isnull=False
        ).exists(),
        30,
    ), worker.read_text()
    assert Notification.objects.filter(channel="in_app", recipient=lead, subject__contains="overdue").exists()
