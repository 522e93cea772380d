"""Reads and writes at scale: the API on an empty database against one with a million cases.

    .venv/bin/python bench/api_scale.py [--cases 1000000] [--customers 1000000] [--rounds 5]
        [--duration 20] [--clients 4] [--workers 2] [--queries 30] [--profile] [--rebuild]

Two databases, each served by its own gunicorn (`--workers` sync workers): recovery_bench_empty
(dropped and recreated every run) and recovery_bench_scale (`--cases` cases over `--customers`
customers, one timeline event each and a running clock on the open half, filled with
INSERT ... SELECT over generate_series; kept between runs unless --rebuild or the sizes differ).
The rounds alternate between them, so the machine's noise falls on both alike:

- create on the empty database, then create at scale (a new customer each time);
- at scale: the case list's first page, and one case's detail (a random case each request).

Then each request runs `--queries` times in one process (Django's test client): queries, wall
and CPU time per request, with `--profile` a cProfile top 15 of each. The target for create is
scale/empty within 15 %.

Smoke run: --cases 10000 --customers 10000 --rounds 1 --duration 3 (under a minute).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

EMPTY, SCALE = "recovery_bench_empty", "recovery_bench_scale"
REDIS_DB = 5


def django() -> None:
    sys.path.insert(0, str(harness.ROOT))
    import django as dj

    dj.setup()


def setup(*, cases: int, customers: int, related: bool) -> dict:
    """Team, product and token; with `cases`, the bulk rows. Prints what the requests need."""
    import fill

    from accounts.models import Team
    from cases.models import Case, Product
    from integrations.tokens import api_token_create

    team = Team.objects.create(name="Bench", slug="bench")
    product = Product.objects.create(name="Home delivery")
    _, key = api_token_create(name="Bench", teams=[team], can_write=True)
    low = high = 0
    if cases:
        began = time.monotonic()
        people = fill.customers(customers)
        low, high = fill.cases(
            cases,
            customer_ids=people,
            team_id=team.pk,
            product_id=product.pk,
            status_sql="(ARRAY['new','responded','resolved','closed'])[1 + g % 4]",
        )
        if related:
            fill.events(case_ids=(low, high))
            fill.clocks(
                case_ids=(low, high),
                kind="resolution",
                started_sql="now()",
                due_sql="now() + interval '3650 days' + g * interval '1 second'",
                target_minutes=10**6,
                where_sql="status IN ('new', 'responded')",
            )
        fill.vacuum()
        print(
            f"filled {Case.objects.count():,} cases, {customers:,} customers",
            f"in {time.monotonic() - began:.0f} s",
            file=sys.stderr,
        )
    return {"token": key, "product": product.pk, "cases": [low, high]}


def specs(info: dict) -> dict:
    auth = {"Content-Type": "application/json", "Authorization": f"Token {info['token']}"}
    body = {
        "customer": {"name": "Bench Customer", "email": "@UNIQ@@example.com"},
        "summary": "Charged above the menu price",
        "product": info["product"],
        "journey_stage": "billing",
        "severity": "high",
        "source": "bench",
        "external_id": "@UNIQ@",
    }
    return {
        "create": {"method": "POST", "path": "/api/v1/cases/", "body": json.dumps(body), "headers": auth},
        "list_first_page": {"method": "GET", "path": "/api/v1/cases/", "headers": auth},
        "detail": {
            "method": "GET",
            "path": "/api/v1/cases/@REF@/",
            "headers": auth,
            "n_range": info["cases"],
        },
    }


def prepare(name: str, *, cases: int, customers: int, related: bool, rebuild: bool) -> dict:
    """Migrate and fill `name` (or reuse it when it was filled to the same sizes); returns its setup."""
    env = harness.recovery_env(name, REDIS_DB)
    want = {"cases": cases, "customers": customers, "related": related}
    if not rebuild and cases and harness.database_exists(name):
        # What a finished fill left in the database's comment: the sizes and the setup.
        saved = json.loads(
            harness.psql(
                f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'"  # noqa: S608
            )
            or "{}"
        )
        if saved.get("sizes") == want:
            print(f"reusing {name} ({cases:,} cases)", file=sys.stderr)
            return saved["info"]
    harness.migrated_database(name, env)
    argv = [sys.executable, __file__, "--role", "setup", "--cases", str(cases), "--customers", str(customers)]
    info = harness.run_json(argv + ["--no-related"] * (not related), env)
    if cases:
        note = json.dumps({"sizes": want, "info": info}).replace("'", "''")
        harness.psql(f"COMMENT ON DATABASE \"{name}\" IS '{note}'")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--no-related", dest="related", action="store_false", help="no events or clocks")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=20, help="seconds per round")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=30, help="in-process requests for queries and CPU")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="fill the scale database again")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument(
        "--role", choices=["main", "setup", "inprocess"], default="main", help=argparse.SUPPRESS
    )
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, default=200, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role == "setup":
        django()
        print(json.dumps(setup(cases=args.cases, customers=args.customers, related=args.related)))
        return
    if args.role == "inprocess":
        django()
        spec = json.loads(args.spec)
        result = harness.inprocess(
            spec, n=args.queries, profile=args.profile, show_queries=args.show_queries, expect=args.expect
        )
        print(json.dumps(result))
        return

    harness.redis_flush(harness.recovery_env(EMPTY, REDIS_DB)["REDIS_URL"])
    info = {
        EMPTY: prepare(EMPTY, cases=0, customers=0, related=args.related, rebuild=True),
        SCALE: prepare(
            SCALE, cases=args.cases, customers=args.customers, related=args.related, rebuild=args.rebuild
        ),
    }
    runs = [
        ("create_empty", EMPTY, "create", 201),
        ("create_at_scale", SCALE, "create", 201),
        ("list_first_page_at_scale", SCALE, "list_first_page", 200),
        ("detail_at_scale", SCALE, "detail", 200),
    ]
    gunicorn = str(harness.ROOT / ".venv/bin/gunicorn")
    servers = {
        name: harness.start_gunicorn(
            gunicorn,
            "recovery.wsgi",
            workers=args.workers,
            env=harness.recovery_env(name, REDIS_DB),
            cwd=harness.ROOT,
        )
        for name in (EMPTY, SCALE)
    }
    label = f"{args.cases:,} cases, {args.customers:,} customers"
    print(
        f"{label}; {args.clients} clients, {args.workers} sync workers, {args.duration:g} s rounds;",
        harness.load_note(),
    )
    results: dict[str, list[dict]] = {name: [] for name, *_ in runs}
    try:
        for _, db, op, expect in runs:
            port = servers[db][1]
            harness.check_once(port, specs(info[db])[op], expect)
            harness.hammer(port, specs(info[db])[op], clients=args.clients, duration=args.warmup)
        for number in range(1, args.rounds + 1):
            for name, db, op, _ in runs:
                figures = harness.hammer(
                    servers[db][1], specs(info[db])[op], clients=args.clients, duration=args.duration
                )
                results[name].append(figures)
                print(json.dumps({"round": number, name: figures}), flush=True)
    finally:
        for proc, _ in servers.values():
            harness.stop(proc)

    summary = {
        name: {
            "req_per_s_median": statistics.median(r["req_per_s"] for r in rows),
            "req_per_s_each": [r["req_per_s"] for r in rows],
            "p50_ms_median": round(statistics.median(r["p50_ms"] for r in rows), 1),
            "p99_ms_median": round(statistics.median(r["p99_ms"] for r in rows), 1),
        }
        for name, rows in results.items()
    }
    ratio = summary["create_at_scale"]["req_per_s_median"] / summary["create_empty"]["req_per_s_median"]
    per_round = [
        round(big["req_per_s"] / small["req_per_s"], 2)
        for big, small in zip(results["create_at_scale"], results["create_empty"], strict=True)
    ]
    summary["create_scale_to_empty"] = {
        "of_medians": round(ratio, 2),
        "per_round": per_round,
        "within_15_percent": ratio >= 0.85,
    }
    print(json.dumps(summary, indent=2))
    print(harness.load_note())

    for name, db, op, expect in runs:
        argv = [sys.executable, __file__, "--role", "inprocess", "--spec", json.dumps(specs(info[db])[op])]
        argv += ["--queries", str(args.queries), "--expect", str(expect)]
        argv += ["--profile"] * args.profile + ["--show-queries"] * args.show_queries
        if args.profile:
            print(f"==== {name}", file=sys.stderr, flush=True)
        print(
            json.dumps(
                {f"in_process_{name}": harness.run_json(argv, harness.recovery_env(db, REDIS_DB))}, indent=2
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
