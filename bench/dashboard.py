# ruff: noqa: E501  (the SQL reads better unwrapped)
"""Dashboard server time with 1M cases in PostgreSQL.

    .venv/bin/python bench/dashboard.py [--cases 1000000] [--runs 7] [--rebuild]

Creates (once) the database `recovery_bench_dash` on the local PostgreSQL, migrates it, fills it
with generate_series in a few INSERT ... SELECT statements (about 2 years of cases, 60 % with a
root cause, follow-ups and survey answers on part of the resolved ones), then times the
dashboard view through the Django test client as a manager and as a team lead, and each
figure on its own. Prints a Markdown table for bench/README.md.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "recovery_bench_dash"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

FILL = """
SELECT setseed(0.42);
INSERT INTO cases_customer (name, email, phone, created_at, updated_at)
SELECT 'Customer ' || g, 'c' || g || '@example.com', '', now(), now() FROM generate_series(1, %(customers)s) g;

INSERT INTO cases_case (customer_id, channel, source, external_id, source_reference, summary, description, product_id,
    journey_stage, severity, team_id, owner_id, created_by_id, status, triage_stage, first_response,
    resolution, follow_up_note, handoff_count, reopen_count, version, opened_at, first_responded_at,
    resolved_at, followed_up_at, closed_at, updated_at)
SELECT (SELECT min(id) FROM cases_customer) + (random() * (%(customers)s - 1))::int,
    (ARRAY['phone','in_person','email','chat','web_form','social_media','review_site','api'])[1 + (o.g %% 8)],
    '', '', '', 'Bench case', '', (SELECT min(id) FROM cases_product) + (o.g %% 7),
    (ARRAY['before_purchase','purchase','fulfilment','delivery','first_use','after_sales','billing'])[1 + (o.g %% 7)],
    (ARRAY['low','medium','high','critical'])[1 + (o.g %% 4)],
    t.team_id, t.agent_id, t.agent_id,
    s.status, s.stage, '', '', '',
    CASE WHEN o.g %% 10 = 0 THEN 1 ELSE 0 END, 0, 1,
    o.opened_at,
    CASE WHEN s.status <> 'new' THEN o.opened_at + (random() * interval '4 hours') END,
    CASE WHEN s.status IN ('resolved','followed_up','closed') THEN o.opened_at + interval '4 hours' + (random() * interval '3 days') END,
    NULL,
    CASE WHEN s.status = 'closed' THEN o.opened_at + interval '5 days' END,
    now()
FROM (
    -- A derived table, not a LATERAL subquery: an uncorrelated LATERAL random() runs only once.
    SELECT g, now() - (random() * interval '730 days') AS opened_at
    FROM generate_series(1, %(cases)s) g
) o
CROSS JOIN LATERAL (
    SELECT CASE WHEN o.g %% 2 = 0 THEN %(team_a)s ELSE %(team_b)s END AS team_id,
           CASE WHEN o.g %% 2 = 0 THEN %(agent_a)s ELSE %(agent_b)s END AS agent_id
) t
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN o.opened_at < now() - interval '30 days' AND random() < 0.97 THEN 'closed'
        ELSE (ARRAY['new','responded','waiting_on_customer','resolved','followed_up','closed'])[1 + (o.g %% 6)]
    END AS status,
    (ARRAY['what','why','different','done'])[1 + (o.g %% 4)] AS stage
) s
-- Cases arrive in time order, so the table is laid out by opened_at as a live one would be.
ORDER BY o.opened_at;

INSERT INTO cases_whyanswer (case_id, root_cause_id, explanation, origin, expectations_set, checked_in,
    responded_at_once, verified_before_delivery, met_expectations_after, over_promised, below_market,
    staff_consulted, updated_at)
SELECT c.id, (SELECT min(id) FROM cases_rootcause WHERE parent_id IS NOT NULL)
        + floor(power(random(), 2) * %(causes)s)::int,
    'Bench', (ARRAY['ours','vendor','both'])[1 + (c.id %% 3)],
    (ARRAY['yes','no','unknown',''])[1 + (c.id %% 4)], (ARRAY['yes','no','unknown',''])[1 + (c.id %% 3)],
    'yes', (ARRAY['yes','no'])[1 + (c.id %% 2)], '', '', '', '', c.opened_at + interval '2 days'
FROM cases_case c WHERE c.id %% 5 < 3;

INSERT INTO cases_whatanswer (case_id, complaint, scope, part_affected, journey_stage, tried_before,
    prior_attempts, our_answer, why_not_enough, updated_at)
SELECT c.id, 'Bench', 'part', (ARRAY['Delivery','Packaging','Invoice','Assembly'])[1 + (c.id %% 4)],
    c.journey_stage, 'no', '', '', '', c.opened_at + interval '1 day'
FROM cases_case c WHERE c.id %% 5 < 4;

INSERT INTO remedies_remedy (case_id, kind_id, amount, currency, note, plus_one, given_by_id, given_at)
SELECT c.id, (SELECT min(id) FROM remedies_remedykind) + (c.id %% %(kinds)s), (5 + (c.id %% 40))::numeric,
    'GBP', '', c.id %% 3 = 0, c.owner_id, c.opened_at + interval '1 hour'
FROM cases_case c WHERE c.resolved_at IS NOT NULL AND c.id %% 3 = 0;

INSERT INTO insights_followupoutcome (case_id, outcome, retained, note, recorded_by_id, recorded_at)
SELECT c.id, (ARRAY['satisfied','still_unhappy','no_answer'])[1 + (c.id %% 3)],
    (ARRAY['yes','no','unknown'])[1 + (c.id %% 3)], '', c.owner_id, c.resolved_at + interval '2 days'
FROM cases_case c WHERE c.resolved_at IS NOT NULL AND c.id %% 4 = 0;

INSERT INTO insights_surveyinvitation (case_id, token_hash, channel, recipient, sent_by_id, created_at,
    expires_at, used_at)
SELECT c.id, md5(c.id::text) || md5('x' || c.id), 'email', 'bench@example.com', c.owner_id,
    c.resolved_at + interval '1 day', c.resolved_at + interval '15 days', c.resolved_at + interval '3 days'
FROM cases_case c WHERE c.resolved_at IS NOT NULL AND c.id %% 8 = 0;
INSERT INTO insights_surveyresponse (invitation_id, case_id, score, comment, answered_at)
SELECT i.id, i.case_id, 1 + (i.case_id %% 5), '', i.used_at FROM insights_surveyinvitation i;
"""


def ensure_database(rebuild: bool) -> None:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        if rebuild:
            cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        if cur.fetchone() is None:
            cur.execute(f"CREATE DATABASE {BENCH_DB}")
    admin.close()


def fill(cases: int, *, analyse: bool = True) -> None:
    """Fills the current database once. `analyse=False` inside a transaction (the CI test)."""
    from django.db import connection

    from accounts.models import Team, User
    from cases import demo
    from cases.models import Case, RootCause
    from remedies.models import RemedyKind

    if Case.objects.exists():
        return
    demo.seed(case_count=0)  # teams, people, products, root causes
    if not RemedyKind.objects.exists():
        RemedyKind.objects.create(code="refund", name="Refund")
    team_a, team_b = Team.objects.order_by("name")
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            FILL,
            {
                "cases": cases,
                "customers": max(cases // 5, 10),
                "causes": RootCause.objects.filter(parent__isnull=False).count(),
                "kinds": RemedyKind.objects.count(),
                "team_a": team_a.pk,
                "team_b": team_b.pk,
                "agent_a": User.objects.get(username="ava").pk,
                "agent_b": User.objects.get(username="omar").pk,
            },
        )
        if analyse:
            # What autovacuum does on a live database: statistics and the visibility map.
            cur.execute("VACUUM ANALYZE")
    print(f"filled {cases} cases in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    refresh_rollup(analyse=analyse)


ROLLUP_TABLES = (
    "insights_dailyfigures",
    "insights_dailybreakdown",
    "insights_dailydurations",
    "insights_dailyremedies",
    "insights_dailyfollowups",
)


def refresh_rollup(*, analyse: bool = True) -> None:
    """What beat does: the rollup (the first run rolls every day up, later ones the changed days)
    and the repeat customers of the standard periods."""
    from django.db import connection

    from insights.services.repeat import repeat_customers_refresh
    from insights.services.rollup import rollup_refresh

    started = time.perf_counter()
    rows = rollup_refresh()
    print(f"rolled up {rows} day-team rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    rows = repeat_customers_refresh()
    print(
        f"counted {rows} standard periods' repeat customers in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    if analyse:
        # A first run rewrites every row: without statistics PostgreSQL expects a few dozen rows
        # and sorts 26k text values instead of hashing them (32 ms -> 11 ms at 50k cases), and the
        # deleted rows of a second run stay in the index. Autovacuum would see to both.
        with connection.cursor() as cur:
            for table in ROLLUP_TABLES:
                cur.execute(f"VACUUM ANALYZE {table}")


def timed(fn, runs: int) -> tuple[float, float]:
    """Median and p95 of `runs` calls, in ms."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), p95(samples)


def p95(samples: list[float]) -> float:
    """Interpolated like PostgreSQL's percentile_cont: with a handful of runs, near the slowest."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


# Every figure of the page, as (label, module, function, extra arguments). A 365-day scope is
# timed through what the page calls for it: the rollup's reader of the same name, if any.
FIGURES = (
    ("now_by_status_and_stage", "metrics", "now_by_status_and_stage", ()),
    ("owner_load", "metrics", "owner_load", ()),
    ("period_counts", "metrics", "period_counts", ()),
    ("first_response_times", "metrics", "first_response_times", ()),
    ("resolution_times", "metrics", "resolution_times", ()),
    ("follow_up_outcomes", "metrics", "follow_up_outcomes", ()),
    ("csat", "metrics", "csat", ()),
    ("root_cause_pareto", "metrics", "root_cause_pareto", ()),
    ("repeat_customers", "repeat", "repeat_customers", ()),
    ("remedy_spend", "pending", "remedy_spend", ()),
    ("trend", "metrics", "trend", ()),
    ("first_touch_per_agent", "ledger", "first_touch_per_agent", ()),
    ("first_touch_per_team", "ledger", "first_touch_per_team", ()),
    ("why_breakdown", "triage", "why_breakdown", ()),
    ("what_breakdown", "triage", "what_breakdown", ()),
    *(
        (f"remedy_ledger by {by}", "ledger", "remedy_ledger", (by,))
        for by in ("agent", "team", "kind", "root_cause")
    ),
)
ROLLUP_READERS = ("rollup", "breakdowns")
READS_THE_ROLLUP_ITSELF = {"first_touch_per_agent", "first_touch_per_team"}
PERIODS = (
    ("last 30 days", 30, {}),
    ("last 30 days, by week", 30, {"bucket": "week"}),
    ("last 90 days, by week", 90, {"bucket": "week"}),
    ("last 365 days, by week", 365, {"bucket": "week"}),
)


def _figure(scope, module: str, name: str):
    """What the page calls for this figure on this scope: the rollup's reader for an unsliced
    period once beat has run, the live query otherwise; repeat customers as beat kept them for a
    standard period."""
    from insights.models import RepeatCustomers
    from insights.selectors import repeat, rollup

    if name == "repeat_customers":
        kept = RepeatCustomers.objects.filter(
            start=scope.start, end=scope.end, teams=repeat.teams_key(scope.teams())
        )
        return repeat.repeat_customers, "kept by beat" if kept.exists() else "live"
    if rollup.freshness(scope).source == "rollup":
        if name in READS_THE_ROLLUP_ITSELF:
            return getattr(import_module(f"insights.selectors.{module}"), name), "rollup"
        for readers in ROLLUP_READERS:
            rolled = getattr(import_module(f"insights.selectors.{readers}"), name, None)
            if rolled is not None:
                return rolled, "rollup"
    return getattr(import_module(f"insights.selectors.{module}"), name), "live"


def measure(runs: int, *, today: datetime.date | None = None) -> list[tuple[str, float, float]]:
    """Median and p95 server time of the dashboard as a manager and as a lead, per period, and of
    each figure on its own over 30 and 365 days. Runs on the current database (the CI test calls
    it on a tiny one)."""
    from dataclasses import replace

    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from insights.forms import ScopeForm

    today = today or timezone.localdate()  # the app's day, in TIME_ZONE, as the page counts it
    rows = []
    for username in ("max", "lee"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        assert client.get("/insights/").status_code == 200  # warm caches and connections
        for label, days, params in PERIODS:
            params = {**params, "start": (today - datetime.timedelta(days=days - 1)).isoformat()}
            median, slowest = timed(lambda p=params, c=client: _ok(c.get("/insights/", p)), runs)
            rows.append((f"dashboard as {user.get_role_display().lower()}, {label}", median, slowest))
        if username != "max":
            continue
        month = ScopeForm(None, user=user).scope()
        year = replace(month, start=today - datetime.timedelta(days=364), bucket="week")
        for days, scope in ((30, month), (365, year)):
            for label, module, name, extra in FIGURES:
                fn, source = _figure(scope, module, name)
                median, slowest = timed(lambda f=fn, s=scope, a=extra: f(s, *a), runs)
                rows.append((f"  {label}, {days} days ({source})", median, slowest))
    return rows


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ensure_database(args.rebuild)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    fill(args.cases)
    refresh_rollup()  # an existing bench database made before the rollup, or changed since
    rows = measure(args.runs)
    print(f"| {args.cases:,} cases, {args.runs} runs (ms) | median | p95 |")
    print("|---|---:|---:|")
    for label, median, slowest in rows:
        print(f"| {label} | {median:.1f} | {slowest:.1f} |")


if __name__ == "__main__":
    main()
