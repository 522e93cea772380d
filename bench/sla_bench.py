"""SLA sweep benchmarks on PostgreSQL (figures in bench/README.md; not part of the test suite).

    .venv/bin/python bench/sla_bench.py cost        # sweep cost: 100 due among 10k, then among 1M
    .venv/bin/python bench/sla_bench.py lag         # detection lag with a real worker and beat
    .venv/bin/python bench/sla_bench.py throughput  # breaches per second, one worker process

Each run drops and recreates its own database (BENCH_DATABASE, default recovery_sla_bench) on
the PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432). Background rows are
bulk-inserted with generate_series so that 1M open clocks take seconds, not hours.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("BENCH_DATABASE", "recovery_sla_bench")
os.environ["DATABASE_URL"] = f"{PG}/{DB}"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
sys.path.insert(0, str(ROOT))


def recreate_database() -> None:
    import psycopg2

    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        cur.execute(f'CREATE DATABASE "{DB}"')
    admin.close()


def setup_django() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    if settings.configured and "default" in getattr(settings, "DATABASES", {}):
        from django.db import connections

        connections["default"].close()
        settings.DATABASES["default"]["NAME"] = DB
        connections["default"].settings_dict["NAME"] = DB
    recreate_database()
    django.setup()
    call_command("migrate", verbosity=0)


def base_rows():
    """One team, customer, product and agent that every bench case shares."""
    from accounts.models import Team, User
    from cases.models import Customer, Product

    team = Team.objects.create(name="Bench", slug="bench")
    agent = User.objects.create(username="bench-agent", email="agent@bench.example")
    agent.teams.set([team])
    customer = Customer.objects.create(name="Bench Customer", email="c@bench.example")
    product = Product.objects.create(name="Bench product")
    return team, agent, customer, product


def insert_clocks(
    *,
    count: int,
    team,
    owner,
    customer,
    product,
    kind: str,
    due_sql: str,
    started_sql: str,
    target_minutes: float,
    steps: str = "[]",
    offset: int = 0,
) -> None:
    """Bulk-insert `count` open cases with one running clock each. `due_sql`/`started_sql` are SQL
    expressions over g (1..count) giving each clock's due and start instants."""
    from django.db import connection

    owner_id = owner.pk if owner else "NULL"
    # Only numbers and SQL written in this file are interpolated: no outside input reaches it.
    sql = f"""
        WITH new AS (
            INSERT INTO cases_case (reference, customer_id, channel, source_reference, summary,
                description, product_id, journey_stage, severity, team_id, owner_id, status,
                triage_stage, first_response, resolution, follow_up_note, handoff_count,
                reopen_count, version, opened_at, updated_at)
            SELECT 'B-' || ({offset} + g), {customer.pk}, 'email', '', 'Bench case', '', {product.pk},
                'delivery', 'medium', {team.pk}, {owner_id}, 'new', 'what', '', '', '', 0, 0, 1,
                now(), now()
            FROM generate_series(1, {count}) AS g
            RETURNING id, reference
        )
        INSERT INTO sla_clock (case_id, kind, label, target_minutes, warnings, steps, state, started_at,
            due_at, next_check_at, check_failures)
        SELECT c.id, '{kind}', '', {target_minutes}, '[]', '{steps}', 'running', {started_sql},
            {due_sql}, {due_sql}, 0
        FROM (SELECT id, substring(reference from 3)::bigint - {offset} AS g FROM new) AS c
    """  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql)
        cur.execute("ANALYZE cases_case; ANALYZE sla_clock;")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# ---- cost -------------------------------------------------------------------------------------
# Two databases, one with 10k and one with 1M open clocks, measured in alternation (one short
# process per repetition) so that noise from other work on the machine hits both sides alike.


def build_cost_database(name: str, open_count: int, reps: int) -> None:
    global DB
    DB = name
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    setup_django()
    from django.db import connection

    team, agent, customer, product = base_rows()
    t0 = time.perf_counter()
    insert_clocks(
        count=open_count,
        team=team,
        owner=agent,
        customer=customer,
        product=product,
        kind="resolution",
        started_sql="now()",
        due_sql="now() + interval '3650 days' + g * interval '1 second'",
        target_minutes=10**6,
    )
    # Spare clocks, far in the future; each repetition makes 100 of them due.
    insert_clocks(
        count=reps * 100,
        team=team,
        owner=None,
        customer=customer,
        product=product,
        kind="first_response",
        started_sql="now() + interval '7300 days'",
        due_sql="now() + interval '7300 days' + g * interval '1 second'",
        target_minutes=1,
        offset=open_count,
    )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"built {name}: {open_count:,} open clocks in {time.perf_counter() - t0:.0f} s", flush=True)


def cost_rep(args) -> None:
    """One measured sweep of 100 due clocks (run in its own process by `cost`)."""
    import django

    django.setup()
    from django.utils import timezone

    from sla.escalation import sweep
    from sla.models import Clock

    sweep(batch=200)  # nothing is due yet: warm the connection and caches first
    now = timezone.now()
    ids = list(
        Clock.objects.filter(kind="first_response", due_at__gt=now + timedelta(days=7000))
        .order_by("id")
        .values_list("id", flat=True)[:100]
    )
    Clock.objects.filter(pk__in=ids).update(
        started_at=now - timedelta(minutes=2),
        due_at=now - timedelta(minutes=1),
        next_check_at=now - timedelta(minutes=1),
    )
    t0 = time.perf_counter()
    report = sweep(now=now, batch=200)
    elapsed = time.perf_counter() - t0
    assert report.breaches == 100, report
    print(elapsed)


def cost_rep_timed(name: str) -> float:
    env = {**os.environ, "BENCH_DATABASE": name}
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "cost-rep"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def cost(args) -> None:
    small, big = f"{DB}_10k", f"{DB}_big"
    if not args.reuse:
        build_cost_database(small, 10_000, args.reps)
        build_cost_database(big, args.big, args.reps)
    timings = {small: [], big: []}
    for _ in range(args.reps):
        for name in (small, big):
            timings[name].append(cost_rep_timed(name))
    for name, label in ((small, "10k"), (big, f"{args.big:,}")):
        values = timings[name]
        print(
            f"{label} open clocks: sweep of 100 due clocks, median {statistics.median(values) * 1000:.0f} ms "
            f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}, n={len(values)})"
        )
    ratio = statistics.median(timings[big]) / statistics.median(timings[small])
    print(f"ratio of medians big/small: {ratio:.2f} (within 25%: {abs(ratio - 1) <= 0.25})")
    import psycopg2

    for name in (small, big):
        conn = psycopg2.connect(f"{PG}/{name}")
        with conn.cursor() as cur:
            cur.execute(
                "EXPLAIN (ANALYZE) SELECT id FROM sla_clock WHERE next_check_at <= now() + interval '1 day' "
                "ORDER BY next_check_at, id LIMIT 200 FOR UPDATE SKIP LOCKED"
            )
            plan = [row[0].strip() for row in cur.fetchall()]
        conn.rollback()
        conn.close()
        print(
            f"  claim on {name}: "
            + " | ".join(line for line in plan if "Index" in line or "Execution" in line)
        )


# ---- lag --------------------------------------------------------------------------------------


def lag(args) -> None:
    setup_django()
    from django.utils import timezone

    from sla.models import Firing

    base = base_rows()
    team, agent, customer, product = base
    insert_clocks(
        count=args.open,
        team=team,
        owner=agent,
        customer=customer,
        product=product,
        kind="resolution",
        started_sql="now()",
        due_sql="now() + interval '3650 days' + g * interval '1 second'",
        target_minutes=10**6,
    )
    lead_in = 20  # seconds for the worker and beat to start before the first clock falls due
    insert_clocks(
        count=args.due,
        team=team,
        owner=agent,
        customer=customer,
        product=product,
        kind="first_response",
        started_sql=f"now() + interval '{lead_in} seconds' - interval '1 minute'",
        due_sql=f"now() + interval '{lead_in} seconds' + (g * 60.0 / {args.due}) * interval '1 second'",
        target_minutes=1,
        offset=args.open,
        steps='[{"level": 1, "base": "breach", "offset": 0, "action": "notify_owner"}]',
    )
    # The clocks above start in the future and end one minute later: make start = due - 1 min exactly.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE sla_clock SET started_at = due_at - interval '1 minute' WHERE kind = 'first_response'"
        )
    started = timezone.now()
    env = {**os.environ, "REDIS_URL": args.redis, "SLA_SWEEP_SECONDS": str(args.interval)}
    with tempfile.TemporaryDirectory() as tmp:
        log = open(Path(tmp) / "celery.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "recovery",
                "worker",
                "-B",
                f"--concurrency={args.concurrency}",
                "--loglevel=WARNING",
                "-s",
                str(Path(tmp) / "beat"),
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
            deadline = time.monotonic() + lead_in + 60 + 60
            while time.monotonic() < deadline:
                done = Firing.objects.filter(level="breach").count()
                if done >= args.due:
                    break
                time.sleep(2)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            log.close()
    rows = list(Firing.objects.filter(level="breach").values_list("due_at", "fired_at"))
    lags = [(fired - due).total_seconds() for due, fired in rows]
    print(
        f"{args.open:,} open clocks, {args.due} due within a minute, sweep every {args.interval} s "
        f"(one worker, concurrency {args.concurrency}, with beat), started {started:%H:%M:%S}"
    )
    print(f"breaches recorded: {len(lags)}/{args.due}")
    if lags:
        print(
            f"detection lag: p50 {pct(lags, 0.5):.2f} s, p99 {pct(lags, 0.99):.2f} s, max {max(lags):.2f} s; "
            f"p99 <= 2 intervals ({2 * args.interval} s): {pct(lags, 0.99) <= 2 * args.interval}"
        )


# ---- throughput -------------------------------------------------------------------------------


def throughput(args) -> None:
    setup_django()
    from django.utils import timezone

    from sla.escalation import sweep

    base = base_rows()
    team, agent, customer, product = base
    for label, steps in (
        ("breach only", "[]"),
        (
            "breach + notify the owner",
            '[{"level": 1, "base": "breach", "offset": 0, "action": "notify_owner"}]',
        ),
    ):
        offset = 0 if label == "breach only" else args.count
        insert_clocks(
            count=args.count,
            team=team,
            owner=agent,
            customer=customer,
            product=product,
            kind="first_response",
            started_sql="now() - interval '2 minutes'",
            due_sql="now() - interval '1 minute' + g * interval '1 millisecond'",
            target_minutes=1,
            steps=steps,
            offset=offset,
        )
        t0 = time.perf_counter()
        report = sweep(now=timezone.now(), batch=200, max_batches=10**6)
        elapsed = time.perf_counter() - t0
        print(
            f"{label}: {report.breaches} breaches ({report.fired} firings) in {elapsed:.1f} s = "
            f"{report.breaches / elapsed:.0f} breaches/s in one process"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cost")
    c.add_argument("--reps", type=int, default=11)
    c.add_argument("--big", type=int, default=1_000_000)
    c.add_argument("--reuse", action="store_true", help="measure the databases of the last run again")
    sub.add_parser("cost-rep")
    lg = sub.add_parser("lag")
    lg.add_argument("--open", type=int, default=100_000)
    lg.add_argument("--due", type=int, default=1000)
    lg.add_argument("--interval", type=int, default=5)
    lg.add_argument("--concurrency", type=int, default=2, help="worker processes, as `make run` starts")
    lg.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"))
    t = sub.add_parser("throughput")
    t.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    {"cost": cost, "cost-rep": cost_rep, "lag": lag, "throughput": throughput}[args.command](args)


if __name__ == "__main__":
    main()
