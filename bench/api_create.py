"""API benchmark: case creation under 8 concurrent clients, and the first page of the case list
as the table grows. Runs gunicorn on PostgreSQL; prints figures for bench/README.md.

    .venv/bin/python bench/api_create.py [--duration 20] [--clients 8] [--workers 3] [--sizes 10000,1000000]

Needs PostgreSQL at 127.0.0.1:5432 (trust auth) and Redis at 127.0.0.1:6379 (the throttle's counters).
It drops and recreates the database `recovery_bench_api`.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "recovery_bench_api"
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"),
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    # Throttling stays on (its counters in Redis are part of the cost), with a rate the bench never meets.
    "API_THROTTLE_RATE": "10000000/minute",
    "LOG_LEVEL": "WARNING",
    # DEBUG off wants a mail server (a system check); this bench sends none.
    "EMAIL_URL": "smtp://127.0.0.1:9/",
    "PYTHONWARNINGS": "ignore:No directory at",
    "DJANGO_SETTINGS_MODULE": "recovery.settings",
}


def sh(*args: str) -> None:
    subprocess.run(args, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - fixed commands


def setup_database() -> None:
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}")
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {DB}")
    sh(sys.executable, "manage.py", "migrate", "--noinput")


def django():
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django as dj

    dj.setup()


def seed_token() -> tuple[str, int]:
    from accounts.models import Team
    from cases.models import Product
    from integrations.tokens import api_token_create

    team = Team.objects.create(name="Bench", slug="bench")
    product = Product.objects.create(name="Home delivery")
    _, key = api_token_create(name="Bench", teams=[team], can_write=True)
    return key, product.pk


def grow_cases_to(total: int) -> None:
    """Bulk rows straight into the tables: the list's cost is what is measured, not intake."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Team
    from cases.models import Case

    have = Case.objects.count()
    if have >= total:
        return
    team = Team.objects.get(slug="bench")
    with connection.cursor() as cur:
        # One customer per 10 cases; generate_series keeps a million rows to seconds.
        cur.execute(
            """
            WITH c AS (
              INSERT INTO cases_customer (name, email, phone, created_at, updated_at)
              SELECT 'Bench customer ' || g, 'bench' || g || '@example.com', '', now(), now()
              FROM generate_series(1, %s) g RETURNING id
            ) SELECT min(id), max(id) FROM c
            """,
            [max((total - have) // 10, 1)],
        )
        low, high = cur.fetchone()
        cur.execute(
            """
            INSERT INTO cases_case (customer_id, channel, source_reference, source, external_id, summary,
              description, product_id, journey_stage, severity, team_id, status, triage_stage,
              first_response, resolution, follow_up_note, handoff_count, reopen_count, version,
              opened_at, updated_at)
            SELECT %s + (g %% (%s - %s + 1)), 'phone', '', '', '', 'Bench case ' || g, '',
              (SELECT id FROM cases_product LIMIT 1), 'delivery',
              (ARRAY['low','medium','high','critical'])[1 + g %% 4], %s,
              (ARRAY['new','responded','resolved','closed'])[1 + g %% 4], 'what', '', '', '', 0, 0, 1,
              %s - make_interval(secs => g), now()
            FROM generate_series(1, %s) g
            """,
            [low, high, low, team.pk, timezone.now(), total - have],
        )
        # The reference is a generated column: PostgreSQL wrote it with each row.
        cur.execute("ANALYZE cases_case; ANALYZE cases_customer")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "recovery.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def hammer(port: int, clients: int, duration: float, request) -> dict:
    """`clients` threads, each with its own keep-alive connection, for `duration` seconds."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        while time.monotonic() < stop:
            method, path, body, headers = request()
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status >= 300:
                bad.append(response.status)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--sizes", default="10000,1000000")
    args = parser.parse_args()

    setup_database()
    django()
    key, product = seed_token()
    auth = {"Authorization": f"Token {key}", "Content-Type": "application/json"}

    def create():
        body = {
            "customer": {"name": "Bench Customer", "email": f"{uuid.uuid4().hex}@example.com"},
            "summary": "Charged above the menu price",
            "product": product,
            "journey_stage": "billing",
            "severity": "high",
            "source": "bench",
            "external_id": uuid.uuid4().hex,
        }
        return "POST", "/api/v1/cases/", json.dumps(body), auth

    def first_page():
        return "GET", "/api/v1/cases/?page_size=50", None, auth

    results = {}
    proc, port = start_gunicorn(args.workers)
    try:
        hammer(port, args.clients, 3, create)  # warm-up: connections, caches
        results["create"] = hammer(port, args.clients, args.duration, create)
        from cases.models import Case

        results["create"]["cases_after"] = Case.objects.count()
        print(json.dumps({"create": results["create"]}), flush=True)
        for size in [int(s) for s in args.sizes.split(",") if s]:
            began = time.monotonic()
            grow_cases_to(size)
            print(f"grew to {size} cases in {time.monotonic() - began:.0f} s", flush=True)
            hammer(port, args.clients, 2, first_page)
            name = f"list_first_page_at_{size}"
            results[name] = hammer(port, args.clients, args.duration, first_page)
            print(json.dumps({name: results[name]}), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps(results, indent=2))
    print(f"load average during the run: {os.getloadavg()}")


if __name__ == "__main__":
    main()
