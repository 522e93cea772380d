# ruff: noqa: S608  (SQL built from this file's own SQL and the models' columns, never outside input)
"""Assisted triage at scale: retraining and suggestion latency with N triaged cases in PostgreSQL.

    .venv/bin/python bench/triage_scale.py [--cases 100000] [--samples 200]

Drops and recreates the database `recovery_bench_triage` (migrated, from the benches' template),
fills it with N closed cases whose WHY has a root cause, their wording put together the way the
labelled set is (bench/triage_set.py: phrasings of the cause, a business's nouns, an opening and
a closing, typos), then times, in this process:

- retraining: `knowledge.suggestions.model_refresh(force=True)`, what the Celery task and
  `manage.py refresh_suggestions` call, twice: the first embeds every complaint and stores its
  sentence vector, the second (every later one) reads the stored vectors;
- a case's suggestions: `knowledge.suggestions.suggest_for_case`, what
  `GET /api/v1/cases/{ref}/suggestions/` answers with, over `--samples` cases (p50, p95, max),
  after one call that loads the model (timed on its own).

Prints the load average before and after: on a busy machine the figures say little.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "recovery_bench_triage"
REDIS_DB = 7


def texts(count: int, seed: int = 14) -> list[tuple[str, str, str, str, str]]:
    """(text, product, journey stage, severity, root cause) for `count` complaints, every
    phrasing of the labelled set (training and test) with fresh nouns, closings and typos."""
    from bench import triage_set

    rng = random.Random(seed)
    causes = list(triage_set.CAUSES.items())
    businesses = list(triage_set.BUSINESSES)
    rows = []
    for n in range(count):
        cause, (_, stages, train_phrasings, test_phrasings) = causes[n % len(causes)]
        business = rng.choice(businesses)
        severity = rng.choice(triage_set.SEVERITY_MIX)
        closing = rng.choice(sum(triage_set.CLOSINGS[severity], []))
        phrasing = rng.choice(train_phrasings + test_phrasings)
        text = triage_set.complaint(rng, phrasing, business, closing)
        product = triage_set.BUSINESSES[business]["product"]
        rows.append((text, product, rng.choice(stages), severity, cause))
    return rows


def _insert(model, given: dict[str, str], source: str, params: list) -> int:
    from django.db import connection

    from bench.fill import columns

    names, exprs = columns(model, given)
    # Defaults are literal SQL here; with parameters, a '%' in them would be read as one.
    ours = {connection.ops.quote_name(f) for f in given}
    exprs = [e if n in ours else e.replace("%", "%%") for n, e in zip(names, exprs, strict=True)]
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {source}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


CHUNK = 20_000


def fill(count: int, *, analyse: bool = True) -> None:
    """`count` closed, triaged cases in the current database (teams, people, products and root
    causes from the demo's seed). `analyse=False` inside a transaction (the CI test)."""
    from django.db import connection

    from accounts.models import Team
    from cases import demo
    from cases.models import Case, Customer, Product, RootCause, WhyAnswer

    demo.seed(case_count=0)
    team = Team.objects.order_by("name").first()
    customer = Customer.objects.create(name="Bench customer", email="bench-triage@example.com")
    products = {p.name: p.pk for p in Product.objects.all()}
    causes = {c.name: c.pk for c in RootCause.objects.filter(parent__isnull=False)}
    fallback = next(iter(products.values()))
    started = time.perf_counter()
    rows = texts(count)
    for low in range(0, count, CHUNK):
        chunk = rows[low : low + CHUNK]
        arrays = [
            [f"triage-{low + i}" for i in range(len(chunk))],
            [t[:200] for t, *_ in chunk],
            [t for t, *_ in chunk],
            [products.get(p, fallback) for _, p, *_ in chunk],
            [stage for _, _, stage, *_ in chunk],
            [severity for *_, severity, _ in chunk],
            [causes[cause] for *_, cause in chunk],
        ]
        source = (
            "unnest(%s::text[], %s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::bigint[])"
            " WITH ORDINALITY AS s(ref, summary, description, product_id, stage, severity, cause_id, g)"
        )
        _insert(
            Case,
            {
                "customer_id": str(customer.pk),
                "channel": "'email'",
                "source_reference": "s.ref",
                "summary": "s.summary",
                "description": "s.description",
                "product_id": "s.product_id",
                "journey_stage": "s.stage",
                "severity": "s.severity",
                "team_id": str(team.pk),
                "status": "'closed'",
                "opened_at": "now() - make_interval(hours => s.g::int)",
            },
            source,
            arrays,
        )
        _insert(
            WhyAnswer,
            {
                "case_id": "c.id",
                "root_cause_id": "s.cause_id",
                "explanation": "'Bench'",
                "origin": "'ours'",
            },
            f"{source} JOIN cases_case c ON c.source_reference = s.ref",
            arrays,
        )
    if analyse:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    print(f"filled {count} triaged cases in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def retrain() -> float:
    from knowledge import suggestions

    started = time.perf_counter()
    row = suggestions.model_refresh(force=True)
    seconds = time.perf_counter() - started
    assert row is not None, "no model trained"
    return seconds


def suggestion_times(samples: int, *, seed: int = 7) -> tuple[float, list[float]]:
    """(first call's ms, which loads the model; then one ms figure per case)."""
    from accounts.models import User
    from cases.models import Case
    from knowledge import suggestions

    user = User.objects.get(username="max")  # a manager: every case visible, the widest search
    ids = list(Case.objects.filter(why__root_cause__isnull=False).values_list("pk", flat=True))
    picked = random.Random(seed).sample(ids, min(samples + 1, len(ids)))
    cases = Case.objects.select_related("product", "what").in_bulk(picked)
    times = []
    for pk in picked:
        started = time.perf_counter()
        found = suggestions.suggest_for_case(user=user, case=cases[pk])
        times.append((time.perf_counter() - started) * 1000)
        assert found.root_causes, found.status
    return times[0], times[1:]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()

    from bench import harness

    env = harness.recovery_env(BENCH_DB, REDIS_DB, DEBUG="1")
    harness.migrated_database(BENCH_DB, env)
    os.environ.update(
        {k: v for k, v in env.items() if k not in os.environ or k in {"DATABASE_URL", "REDIS_URL"}}
    )

    import django

    django.setup()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    fill(args.cases)
    # The first training embeds every complaint and stores the vectors; later ones read them.
    first_training = retrain()
    seconds = retrain()
    first, times = suggestion_times(args.samples)
    from knowledge.models import TriageModel

    row = TriageModel.objects.first()
    print(f"| {args.cases:,} triaged cases | figure |")
    print("|---|---:|")
    print(f"| first training (embeds and stores each complaint's sentence vector) | {first_training:.1f} s |")
    print(
        f"| retraining (model_refresh, in process, the vectors stored) | {seconds:.1f} s "
        f"(model row {len(row.blob) / 2**20:.1f} MiB) |"
    )
    print(f"| first suggestion (loads the model) | {first:.0f} ms |")
    print(
        f"| suggest_for_case over {len(times)} cases | p50 {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms |"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
