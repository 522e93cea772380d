"""With a real Celery worker and beat: a resolved case's survey leaves for the customer when its
clock comes, not before. Needs PostgreSQL and Redis (the worker is another process)."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases import services as case_services
from cases.workflow import Action
from insights.models import SurveyOutreach
from messaging.models import CustomerMessage
from tests import factories
from tests.faults.mailbox import sent

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
def mailbox(tmp_path):
    return tmp_path / "mailbox.jsonl"


@pytest.fixture
def worker(tmp_path, mailbox):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "1",
        "SECRET_KEY": "test-only-secret",
        "EMAIL_BACKEND": "tests.faults.mailbox.EmailBackend",
        "FAULTS_MAILBOX": str(mailbox),
        "SURVEY_SWEEP_SECONDS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "recovery", "worker", "-B", "--pool", "solo",
         "--loglevel", "WARNING", "-s", str(tmp_path / "beat-schedule")],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def _surveys(mailbox):
    return [(to, subject) for to, subject in sent(mailbox) if subject.startswith("How did we do?")]


def test_the_survey_reaches_the_customers_mailbox_when_its_clock_comes(worker, mailbox, agent, team):
    customer = factories.CustomerFactory(email="pat@example.com", phone="")
    case = factories.open_case(actor=agent, team=team, customer=customer)
    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    case_services.case_transition(
        case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Fixed."}
    )
    # The clock started at resolution (hours away by default); bring it to a few seconds from now.
    send_at = timezone.now() + datetime.timedelta(seconds=6)
    SurveyOutreach.objects.filter(case=case).update(send_at=send_at, next_check_at=send_at)

    time.sleep(3)
    assert _surveys(mailbox) == [], "sent before its clock"
    assert wait_for(lambda: _surveys(mailbox)), "the beat sweep did not send the survey"

    assert _surveys(mailbox) == [("pat@example.com", f"How did we do? ({case.reference})")]
    message = CustomerMessage.objects.get(case=case, kind="follow_up")
    assert message.created_at >= send_at and message.notification.delivered_at is not None
