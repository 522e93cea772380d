"""Inbound webhooks: how long from the request to the case or timeline entry it makes.

An SMS webhook (HMAC scheme) and the mention intake answer only after their transaction has
committed, so a request's round trip is the time until its case or timeline entry exists; the
bench checks the rows afterwards. One client, sequential requests, gunicorn with 2 workers on
PostgreSQL and Redis, DEBUG off. It also sends replays and unsigned requests and checks that they
wrote nothing.

    .venv/bin/python bench/inbound_webhooks.py [--requests 100] [--database NAME] [--redis-db 8]

Drops and recreates its database (migrating it: about a minute), flushes its Redis db.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import PG, REDIS, ROOT, pct, psql, recovery_env, recreate_database, start_gunicorn, stop  # noqa: E402
from conversations.signatures import hmac_headers  # noqa: E402 - pure, no Django needed

SECRET = "bench-gateway-secret"
SETUP = """
from accounts.models import Team
from conversations.models import SmsGateway
from conversations.monitors import monitor_create
from sla.policies import policies_ensure_defaults
Team.objects.get_or_create(name="Front desk", slug="front-desk")
policies_ensure_defaults()
SmsGateway.objects.create(name="bench", scheme="hmac", secret=SECRET)
monitor, token = monitor_create(name="bench monitor")
print(token, monitor.secret)
"""


def post(conn, path: str, payload: dict, *, secret: str, delivery: str, extra: dict | None = None):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **(extra or {})}
    headers |= hmac_headers(secret=secret, body=body, delivery=delivery, now=datetime.now(UTC))
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    answer = response.read()
    return response.status, (time.perf_counter() - started) * 1000, answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--database", default="recovery_bench_inbound")
    parser.add_argument("--redis-db", type=int, default=8)
    args = parser.parse_args()
    env = recovery_env(args.database, args.redis_db)
    recreate_database(args.database)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", f"SECRET = {SECRET!r}\n{SETUP}"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token, monitor_secret = out.stdout.split()[-2:]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc, port = start_gunicorn(gunicorn, "recovery.wsgi", workers=2, env=env, cwd=ROOT)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        sms, mentions, bad = [], [], []
        # Warm both workers (imports, connections, the policy cache): not counted.
        for n in range(4):
            warm = {"type": "message", "id": f"warm-{n}", "from": f"+4477008{n:05d}", "text": "warm"}
            post(conn, "/api/v1/intake/sms/bench/", warm, secret=SECRET, delivery=uuid.uuid4().hex)
            conn.close()
        half = args.requests // 2
        for n in range(half):
            # Every other text is from a new number (a case opens), the rest thread onto it.
            payload = {
                "type": "message",
                "id": f"bench-{n}",
                "from": f"+4477009{n // 2:05d}",
                "text": f"Text {n}",
            }
            status, ms, _ = post(
                conn, "/api/v1/intake/sms/bench/", payload, secret=SECRET, delivery=uuid.uuid4().hex
            )
            assert status == 201, status
            sms.append(ms)
        auth = {"Authorization": f"Bearer {token}"}
        for n in range(args.requests - half):
            # New reviews, and every third an edit of the one before (an update on its case).
            post_id = f"yelp-{n - 1}" if n % 3 == 2 else f"yelp-{n}"
            payload = {
                "platform": "yelp",
                "post_id": post_id,
                "url": f"https://yelp.example/r/{post_id}",
                "author_handle": f"diner{n}",
                "text": f"Review {n}",
                "rating": 1 + n % 5,
                "posted_at": "2026-12-01T19:30:00+00:00",
            }
            status, ms, _ = post(
                conn,
                "/api/v1/intake/mentions/",
                payload,
                secret=monitor_secret,
                delivery=uuid.uuid4().hex,
                extra=auth,
            )
            assert status in (200, 201), status
            mentions.append(ms)
        before = psql(
            "SELECT (SELECT count(*) FROM cases_caseevent) + (SELECT count(*) FROM cases_case)", args.database
        )
        for n in range(10):
            payload = {"type": "message", "id": f"bench-{n}", "from": "+447700900001", "text": "replay"}
            status, ms, _ = post(
                conn, "/api/v1/intake/sms/bench/", payload, secret=SECRET, delivery="bench-replayed"
            )
            bad.append(status)
            conn.request(
                "POST",
                "/api/v1/intake/sms/bench/",
                body=json.dumps(payload),
                headers={"Content-Type": "application/json"},
            )
            unsigned = conn.getresponse()
            unsigned.read()
            bad.append(unsigned.status)
        after = psql(
            "SELECT (SELECT count(*) FROM cases_caseevent) + (SELECT count(*) FROM cases_case)", args.database
        )
        counts = psql(
            "SELECT (SELECT count(*) FROM conversations_inboundsms) || ' ' ||"
            " (SELECT count(*) FROM conversations_mention) || ' ' || (SELECT count(*) FROM cases_case)",
            args.database,
        )
    finally:
        stop(proc)
    every = sms + mentions
    print(f"PostgreSQL {PG}, Redis {REDIS}/{args.redis_db}, gunicorn 2 workers, 1 client, sequential")
    for name, values in (("SMS webhook", sms), ("mention intake", mentions), ("all", every)):
        print(
            f"{name:15} n={len(values):4}  p50 {statistics.median(values):6.1f} ms"
            f"  p95 {pct(values, 0.95):6.1f} ms  max {max(values):6.1f} ms"
        )
    print(f"rows: inbound SMS, mentions, cases = {counts}")
    # The first of the replays is a fresh delivery id repeating a taken MessageSid: 200, nothing new.
    tally = {code: bad.count(code) for code in sorted(set(bad))}
    print(
        f"replays and unsigned requests: {tally};"
        f" cases and timeline entries they wrote: {int(after) - int(before)}"
    )
    assert max(every) < 1000, "a webhook took a second or more"


if __name__ == "__main__":
    main()
