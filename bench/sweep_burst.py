# ruff: noqa: E501  (the SQL and the command lines read better unwrapped)
"""The SLA sweep under load: breaches per second, a burst of 10,000 breaches, detection lag.

    .venv/bin/python bench/sweep_burst.py rate  [--clocks 2000] [--profile]
    .venv/bin/python bench/sweep_burst.py burst [--clocks 10000] [--worker ARGS]... [--beat ARGS] [--trigger beat|task]
    .venv/bin/python bench/sweep_burst.py lag   [--open 100000] [--per-minute 1000] [--minutes 3]

Every due clock is a first-response clock on its own case, owned by an agent, with one
escalation level at the breach that notifies the team lead: each breach writes two firings
(breach, L1), two timeline events and two e-mails (owner, lead) plus two in-app notices.

- rate: the clocks are overdue; one `sweep()` in this process takes them all (DEBUG off).
  Breaches per second for one worker process, queries per breach, and with --profile a
  cProfile top 15 of a second, profiled pass.
- burst: a real Celery worker (default concurrency 2) and beat on Redis db 6, sending mail to a
  local SMTP sink (aiosmtpd, in this process). Once the worker has run a sweep, every clock is
  made due at one instant T0 (one UPDATE); measured: T0 until all breached, until all escalated
  (their e-mails queued: the outbox rows are written in the same transaction), until every
  e-mail reached the sink, and each message's lag from its clock's due time to its reception.
- lag: `--open` clocks far from due and `--per-minute` falling due evenly spread, for
  `--minutes`, with worker and beat. Per firing: recorded lateness (Firing.fired_at - due_at;
  fired_at is the sweep batch's "now", not its commit) and visible lateness (when this process
  first saw the row by polling every --poll s, minus due_at), then e-mail lag as in burst.

Worker and beat command lines are flags (`--worker` may be given several times, e.g. one worker
per queue; `--beat none` for no beat), after `python -m celery`; {tmp} becomes the run's log
folder. `--sweep-task` names the task that runs a sweep (sent to warm up, and at T0 with
`--trigger task`); `--env NAME=VALUE` passes settings to the worker and beat. Database
recovery_bench_sweep, dropped and recreated each run.

Smoke runs: rate --clocks 200; burst --clocks 1000; lag --open 10000 --per-minute 300 --minutes 1.
"""

import argparse
import email
import email.policy
import inspect
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

DB = "recovery_bench_sweep"
REDIS_DB = 6
STEPS = {
    "lead": '[{"level": 1, "base": "breach", "offset": 0, "action": "notify_lead"}]',
    "none": "[]",
}
DEFAULT_WORKER = (
    "-A recovery worker --concurrency=2 --loglevel=WARNING --without-gossip --without-mingle -n bench1@%h"
)
DEFAULT_BEAT = "-A recovery beat --loglevel=WARNING -s {tmp}/beat-schedule"
REFERENCE = re.compile(r"\bR-\d+\b")


# ---- setup --------------------------------------------------------------------------------------


def django(env: dict) -> None:
    harness.migrated_database(DB, env)
    os.environ.update(env)
    sys.path.insert(0, str(harness.ROOT))
    import django as dj

    dj.setup()


def base_rows() -> dict:
    """A team with a lead, an agent who owns the cases, one customer and one product."""
    from accounts.models import Team, User
    from cases.models import Customer, Product

    lead = User.objects.create(username="bench-lead", email="lead@bench.example", role="team_lead")
    agent = User.objects.create(username="bench-agent", email="agent@bench.example")
    team = Team.objects.create(name="Bench", slug="bench", lead=lead)
    lead.teams.set([team])
    agent.teams.set([team])
    customer = Customer.objects.create(name="Bench Customer", email="c@bench.example")
    product = Product.objects.create(name="Bench product")
    return {"team": team.pk, "agent": agent.pk, "customer": customer.pk, "product": product.pk}


def add_clocks(base: dict, count: int, *, steps: str, due_sql: str, started_sql: str, target: float = 1):
    """`count` cases owned by the agent, each with one running first-response clock."""
    import fill

    ids = fill.cases(
        count,
        customer_ids=(base["customer"], base["customer"]),
        team_id=base["team"],
        product_id=base["product"],
        owner_id=base["agent"],
    )
    fill.clocks(
        case_ids=ids,
        kind="first_response",
        started_sql=started_sql,
        due_sql=due_sql,
        target_minutes=target,
        steps_json=steps,
    )
    return ids


FAR = "now() + interval '3650 days' + g * interval '1 second'"


def make_due(case_ids: tuple[int, int], due_sql: str) -> datetime:
    """Give the clocks of these cases their due instants in one statement: `due_sql` is SQL over
    g (the case's position in the range) and now() (this transaction's start, returned as T0).
    Each clock starts one minute (its target) before it is due."""
    from django.db import connection, transaction

    low, high = case_ids
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT now()")
        t0 = cur.fetchone()[0]
        cur.execute(
            f"""
            UPDATE sla_clock SET due_at = d.due, next_check_at = d.due, started_at = d.due - interval '1 minute'
            FROM (SELECT id, {due_sql} AS due FROM (SELECT id, case_id - {low} + 1 AS g FROM sla_clock
                  WHERE case_id BETWEEN {low} AND {high}) AS c) AS d
            WHERE sla_clock.id = d.id
            """  # noqa: S608 - numbers and SQL of this file only
        )
    return t0


# ---- rate ---------------------------------------------------------------------------------------


def sweep_function(path: str):
    module, name = path.split(":")
    fn = getattr(import_module(module), name)
    accepted = inspect.signature(fn).parameters

    def call(**kwargs):
        return fn(**{k: v for k, v in kwargs.items() if k in accepted})

    return call


def rate(args) -> None:
    import cProfile

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sla.models import Firing, Notification

    base = base_rows()
    sweep = sweep_function(args.sweep_func)
    overdue = {
        "steps": STEPS[args.steps],
        "started_sql": "now() - interval '2 minutes' + g * interval '1 millisecond'",
        "due_sql": "now() - interval '1 minute' + g * interval '1 millisecond'",
    }

    def one_pass(count: int, profiler=None, capture=False):
        add_clocks(base, count, **overdue)
        firings, notices = Firing.objects.count(), Notification.objects.count()
        context = CaptureQueriesContext(connection) if capture else None
        if context is not None:
            context.__enter__()
        if profiler:
            profiler.enable()
        began = time.perf_counter()
        report = sweep(now=timezone.now(), batch=args.batch, max_batches=10**6)
        elapsed = time.perf_counter() - began
        if profiler:
            profiler.disable()
        if context is not None:
            context.__exit__(None, None, None)
        breaches = getattr(report, "breaches", count)
        return {
            "clocks": count,
            "breaches": breaches,
            "firings": Firing.objects.count() - firings,
            "notification_rows": Notification.objects.count() - notices,
            "seconds": round(elapsed, 2),
            "breaches_per_s": round(breaches / elapsed, 1),
            **(
                {"queries_per_breach": round(len(context.captured_queries) / max(breaches, 1), 1)}
                if context is not None
                else {}
            ),
        }

    print(f"one process, sweep batch {args.batch}, steps {args.steps}; {harness.load_note()}")
    print(json.dumps({"timed": one_pass(args.clocks)}))
    print(json.dumps({"counted": one_pass(min(args.clocks, 200), capture=True)}))
    if args.profile:
        profiler = cProfile.Profile()
        print(json.dumps({"profiled": one_pass(args.clocks, profiler=profiler)}))
        harness.print_profile(profiler, f"a sweep of {args.clocks} clocks", stream=sys.stdout)


# ---- worker, beat and the SMTP sink ----------------------------------------------------------------


class Sink:
    """A local SMTP server that notes when each message arrives and the references in its subject."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: list[tuple[float, str]] = []
        self.port = harness.free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        at = time.time()
        subject = email.message_from_bytes(envelope.content, policy=email.policy.default)["subject"] or ""
        for _ in envelope.rcpt_tos:
            self.received.append((at, subject))
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Celery:
    """Worker(s) and beat as separate processes, in their own process groups, logs in a folder."""

    def __init__(self, args, env: dict):
        self.tmp = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
        self.lines = [a.replace("{tmp}", str(self.tmp)) for a in (args.worker or [DEFAULT_WORKER])]
        if args.beat != "none":
            self.lines.append(args.beat.replace("{tmp}", str(self.tmp)))
        self.env = env
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        for number, line in enumerate(self.lines):
            log = open(self.tmp / f"celery-{number}.log", "w")  # noqa: SIM115 - closed with the process
            self.procs.append(
                subprocess.Popen(  # noqa: S603 - our own command lines
                    [sys.executable, "-m", "celery", *shlex.split(line)],
                    cwd=harness.ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        print(f"started: {' | '.join(self.lines)} (logs in {self.tmp})", flush=True)
        return self

    def check(self) -> None:
        for proc, line in zip(self.procs, self.lines, strict=True):
            if proc.poll() is not None:
                raise SystemExit(f"`celery {line}` exited with {proc.returncode}; see {self.tmp}")

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def send_task(name: str) -> None:
    from recovery.celery import app

    app.send_task(name)


def wait_ready(args, celery: Celery, since: datetime) -> None:
    """Until the worker has completed a sweep: sent once by hand, so it works with or without beat."""
    from sla.models import Heartbeat

    send_task(args.sweep_task)
    deadline = time.monotonic() + args.ready_timeout
    while time.monotonic() < deadline:
        celery.check()
        if Heartbeat.objects.filter(completed_at__gte=since).exists():
            return
        time.sleep(0.2)
    raise SystemExit(f"no sweep completed within {args.ready_timeout} s; see {celery.tmp}")


def worker_env(args, sink: Sink) -> dict:
    extra = dict(item.split("=", 1) for item in args.env)
    return harness.recovery_env(
        DB,
        REDIS_DB,
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}/",
        SLA_SWEEP_SECONDS=str(args.interval),
        **extra,
    )


def spread(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 2),
        "p99": round(harness.pct(values, 0.99), 2),
        "max": round(max(values), 2),
    }


def mail_lag(sink: Sink, due_by_reference: dict[str, datetime]) -> dict:
    lags = []
    for at, subject in sink.received:
        match = REFERENCE.search(subject)
        if match and match.group(0) in due_by_reference:
            lags.append(at - due_by_reference[match.group(0)].timestamp())
    return spread(lags)


def due_by_reference(case_ids: tuple[int, int]) -> dict[str, datetime]:
    from sla.models import Clock

    rows = Clock.objects.filter(case_id__gte=case_ids[0], case_id__lte=case_ids[1]).values_list(
        "case__reference", "due_at"
    )
    return dict(rows)


def wait_mail(sink: Sink, celery: Celery, expected: int, deadline: float) -> float | None:
    while time.monotonic() < deadline:
        celery.check()
        if len(sink.received) >= expected:
            return time.time()
        time.sleep(0.25)
    return None


# ---- burst --------------------------------------------------------------------------------------


def emails_queued(args, case_ids: tuple[int, int] | None = None) -> int:
    """E-mail rows in the outbox (by table name: the outbox may move, `--outbox-table`)."""
    from django.db import connection

    where = f" AND case_id BETWEEN {case_ids[0]} AND {case_ids[1]}" if case_ids else ""
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {args.outbox_table} WHERE channel = 'email'{where}")  # noqa: S608
        return cur.fetchone()[0]


def burst(args) -> None:
    from sla.models import Firing

    base = base_rows()
    ids = add_clocks(base, args.clocks, steps=STEPS[args.steps], due_sql=FAR, started_sql=FAR)
    harness.redis_flush(harness.recovery_env(DB, REDIS_DB)["REDIS_URL"])
    with Sink() as sink, Celery(args, worker_env(args, sink)) as celery:
        from django.utils import timezone

        wait_ready(args, celery, timezone.now())
        t0 = make_due(ids, "now()")
        if args.trigger == "task":
            send_task(args.sweep_task)
        print(f"{args.clocks:,} clocks due at {t0:%H:%M:%S.%f}; {harness.load_note()}", flush=True)
        # Each breach mails the owner; the escalation level mails the lead.
        expected = args.clocks * (2 if args.steps == "lead" else 1)
        goals = {
            f"all_{level}": lambda level=level: Firing.objects.filter(level=level).count() >= args.clocks
            for level in ["breach"] + (["L1"] if args.steps == "lead" else [])
        }
        goals["all_emails_queued"] = lambda: emails_queued(args) >= expected
        marks: dict[str, float] = {}
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and len(marks) < len(goals):
            celery.check()
            for name, reached in goals.items():
                if name not in marks and reached():
                    marks[name] = time.time()
                    print(f"{name} after {marks[name] - t0.timestamp():.1f} s", flush=True)
            time.sleep(0.25)
        queued = emails_queued(args)
        received = wait_mail(sink, celery, expected, deadline)
    elapsed = {name: round(at - t0.timestamp(), 1) for name, at in marks.items()}
    result = {
        "clocks": args.clocks,
        "seconds_from_due": elapsed,
        "emails_expected": expected,
        "emails_queued": queued,
        "emails_received": len(sink.received),
        "all_emails_received_s": round(received - t0.timestamp(), 1) if received else None,
        "recorded_lateness_s": spread(lateness(ids)),
        "email_lag_from_due_s": mail_lag(sink, due_by_reference(ids)),
        "load_after": harness.load_note(),
    }
    print(json.dumps(result, indent=2))


def lateness(case_ids: tuple[int, int], level: str = "breach") -> list[float]:
    from sla.models import Firing

    rows = Firing.objects.filter(
        clock__case_id__gte=case_ids[0], clock__case_id__lte=case_ids[1], level=level
    ).values_list("due_at", "fired_at")
    return [(fired - due).total_seconds() for due, fired in rows]


# ---- lag ----------------------------------------------------------------------------------------


def lag(args) -> None:
    from django.db import connection
    from django.utils import timezone

    base = base_rows()
    add_clocks(base, args.open, steps="[]", due_sql=FAR, started_sql=FAR, target=10**6)
    total = args.per_minute * args.minutes
    ids = add_clocks(base, total, steps=STEPS[args.steps], due_sql=FAR, started_sql=FAR)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    harness.redis_flush(harness.recovery_env(DB, REDIS_DB)["REDIS_URL"])
    with Sink() as sink, Celery(args, worker_env(args, sink)) as celery:
        wait_ready(args, celery, timezone.now())
        # The first falls due a few seconds from now, then one every 60/per_minute s.
        t0 = make_due(
            ids,
            f"now() + interval '{args.lead_in} seconds' + (g - 1) * (60.0 / {args.per_minute}) * interval '1 second'",
        )
        print(
            f"{args.open:,} open clocks; {total:,} falling due over {args.minutes} min from "
            f"{t0 + timedelta(seconds=args.lead_in):%H:%M:%S}, sweep every {args.interval} s; {harness.load_note()}",
            flush=True,
        )
        seen: dict[int, float] = {}
        rows: dict[int, tuple] = {}
        last = 0
        deadline = time.monotonic() + args.lead_in + args.minutes * 60 + args.grace
        while time.monotonic() < deadline:
            celery.check()
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT f.id, f.level, f.due_at, f.fired_at FROM sla_firing f JOIN sla_clock c ON c.id = f.clock_id"
                    " WHERE f.id > %s AND c.case_id BETWEEN %s AND %s ORDER BY f.id",
                    [last, *ids],
                )
                fetched = cur.fetchall()
            now = time.time()
            for pk, level, due, fired in fetched:
                seen[pk] = now
                rows[pk] = (level, due, fired)
                last = max(last, pk)
            if sum(1 for level, *_ in rows.values() if level == "breach") >= total:
                break
            time.sleep(args.poll)
        expected = total * (2 if args.steps == "lead" else 1)
        wait_mail(sink, celery, expected, time.monotonic() + args.grace)
        queued = emails_queued(args, ids)
    breaches = [(pk, due, fired) for pk, (level, due, fired) in rows.items() if level == "breach"]
    result = {
        "due": total,
        "breaches_seen": len(breaches),
        "recorded_lateness_s": spread([(fired - due).total_seconds() for _, due, fired in breaches]),
        "visible_lateness_s": spread([seen[pk] - due.timestamp() for pk, due, _ in breaches]),
        "poll_interval_s": args.poll,
        "emails_expected": expected,
        "emails_queued": queued,
        "emails_received": len(sink.received),
        "email_lag_from_due_s": mail_lag(sink, due_by_reference(ids)),
        "load_after": harness.load_note(),
    }
    print(json.dumps(result, indent=2))


# ---- command line -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rate", help="breaches per second in this process")
    r.add_argument("--clocks", type=int, default=2000)
    r.add_argument("--batch", type=int, default=200)
    r.add_argument("--profile", action="store_true")
    r.add_argument("--sweep-func", default="sla.escalation:sweep", help="module:function that sweeps")
    for name in ("burst", "lag"):
        p = sub.add_parser(name)
        p.add_argument(
            "--worker",
            action="append",
            help="celery arguments, repeatable (default: one worker of concurrency 2, both queues)",
        )
        p.add_argument("--beat", default=DEFAULT_BEAT, help="celery beat arguments, or none")
        p.add_argument("--sweep-task", default="sla.sweep", help="the task name that runs a sweep")
        p.add_argument("--interval", type=int, default=5, help="SLA_SWEEP_SECONDS")
        p.add_argument("--env", action="append", default=[], help="NAME=VALUE for the worker and beat")
        p.add_argument("--ready-timeout", type=float, default=90)
        p.add_argument("--outbox-table", default="sla_notification", help="the table of outbox rows")
    b = sub.choices["burst"]
    b.add_argument("--clocks", type=int, default=10_000)
    b.add_argument(
        "--trigger", choices=["beat", "task"], default="beat", help="task: also send the sweep at T0"
    )
    b.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds")
    lg = sub.choices["lag"]
    lg.add_argument("--open", type=int, default=100_000)
    lg.add_argument("--per-minute", type=int, default=1000)
    lg.add_argument("--minutes", type=int, default=3)
    lg.add_argument("--lead-in", type=float, default=5)
    lg.add_argument("--grace", type=float, default=120, help="seconds after the last due time")
    lg.add_argument("--poll", type=float, default=0.1, help="seconds between polls for new firings")
    for p in sub.choices.values():
        p.add_argument("--steps", choices=sorted(STEPS), default="lead", help="escalation levels per clock")
    args = parser.parse_args()
    django(harness.recovery_env(DB, REDIS_DB, EMAIL_URL="smtp://127.0.0.1:9/"))
    {"rate": rate, "burst": burst, "lag": lag}[args.command](args)


if __name__ == "__main__":
    main()
