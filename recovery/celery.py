"""The Celery application. Deadlines live in PostgreSQL; beat only ticks the sweeps."""

import os

from celery import Celery, signals

from . import checks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

app = Celery("recovery")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def refuse_to_work_without_mail(**kwargs):
    # The worker is what sends customer messages and escalations: with no real mail server it
    # would mark them delivered while nobody receives them. Better not to start at all.
    problems = checks.mail_problems()
    if problems:
        raise SystemExit("\n".join(f"{problem.id}: {problem.msg} {problem.hint}" for problem in problems))
