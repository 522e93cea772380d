"""The customer's status page: server time per view, one process, in-process requests.

    .venv/bin/python bench/status_page.py [--requests 200] [--cases 300]

Measures what the server spends on GET /c/<link>/ (middleware, link check, throttle counter,
queries, template) through Django's test client: no network, no gunicorn. The case has a
realistic conversation (12 messages out, 8 answers in), a promise and a booked call-back, among
`--cases` other cases of the same team. Target: p95 <= 100 ms.

Uses the database in DATABASE_URL (migrated here; your own, e.g. recovery_<name>) and, when
REDIS_URL is set, Redis for the throttle's counters, as in production.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django as dj

    dj.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.test.utils import override_settings

    # No collectstatic here: plain static URLs (the manifest lookup is a dict hit in production).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()


def seed(others: int):
    from django.utils import timezone

    from cases import services
    from cases.workflow import Action
    from messaging.services import message_send
    from portal import callbacks, links
    from portal.models import StatusLink
    from portal.services import customer_reply
    from sla.policies import policies_ensure_defaults
    from sla.services import promise_make
    from tests import factories

    policies_ensure_defaults()
    team = factories.TeamFactory(name="Bench status page")
    agent = factories.UserFactory(username="bench-status-agent", teams=[team])
    for _ in range(others):
        factories.open_case(actor=agent, team=team)
    sam = factories.CustomerFactory(name="Sam Bench", email="", phone="+44 7700 900999")
    case = factories.open_case(actor=agent, team=team, customer=sam, channel="phone", owner=agent)
    case = services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    promise_make(case=case, actor=agent, what="A new box", due_at=timezone.now() + timedelta(days=2))
    slot = callbacks.free_slots(case=case, agent=agent, limit=3)[-1]
    callbacks.callback_book(case=case, actor=agent, starts_at=slot)
    for n in range(11):
        message_send(case=case, actor=agent, kind="update", body=f"Update {n}: still on it, {{first_name}}.")
    link = StatusLink.objects.get(case=case, revoked_at__isnull=True)
    for n in range(8):
        customer_reply(link=link, text=f"Answer {n} from the customer.")
    return links.link_url(link).split("://", 1)[1].split("/", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    django()
    from django.db import connection
    from django.test import Client

    from portal import views

    views.VIEWS_PER_MINUTE = 10**9  # the counter is still kept: its cost is part of the figure
    path = "/" + seed(args.cases)
    client = Client()
    for _ in range(10):  # warm: templates compiled, connections open
        assert client.get(path).status_code == 200
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        client.get(path)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("client.get(path)", globals(), {"client": client, "path": path}, sort="tottime")
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"status page, {args.requests} requests, one process, {args.cases} other cases")
    print(f"  p50 {statistics.median(times):.1f} ms  p95 {p95:.1f} ms  max {times[-1]:.1f} ms")
    print(f"  {len(queries)} queries per view; target p95 <= 100 ms: {'met' if p95 <= 100 else 'MISSED'}")


if __name__ == "__main__":
    main()
