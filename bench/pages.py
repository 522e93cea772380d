# ruff: noqa: E501, S608  (SQL built from numbers and this file's own SQL, never outside input)
"""Server time of every HTML page a signed-in person reaches, per role, on the demo data and
with 100,000 more cases in one team.

    .venv/bin/python bench/pages.py [--cases 100000] [--requests 30] [--database recovery_bench_pages]
    .venv/bin/python bench/pages.py --smoke          # a small run that checks it works

Drops and recreates `--database` (a copy of the migrated template, bench/harness.py), loads the
demo data as `make run` does (`seed_demo`, `sla_demo`), times every page below for each role that
may open it, then adds `--cases` cases to the demo's "Front desk" team with INSERT ... SELECT
(bench/fill.py) and times them again. Requests go through Django's test client in this process
(no network, no gunicorn), DEBUG off, Redis db `--redis-db` (emptied first) for the caches.
Targets: p95 <= 150 ms on the demo data, <= 300 ms with the cases added.
"""

import argparse
import io
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TEAM = "Front desk"
# One demo person per role; all four see the team the cases are added to.
ROLES = {"agent": "ava", "lead": "lee", "manager": "max", "admin": "admin"}
EVERYONE = tuple(ROLES)
LEADS = ("lead", "manager", "admin")
MANAGERS = ("manager", "admin")
TARGET_MS = {"demo": 150, "filled": 300}


@dataclass(frozen=True)
class Page:
    """One page as a role opens it: a URL name, its arguments from the world (`Targets`), a query."""

    label: str
    name: str
    roles: tuple[str, ...]
    kwargs: Callable[["Targets"], dict] = lambda t: {}
    query: Callable[["Targets"], dict] = lambda t: {}


@dataclass
class Targets:
    """The rows the pages are opened on, picked from the demo data."""

    open_case: str
    resolved_case: str
    customer: int
    customer_name: str
    article: int
    improvement: int
    macro: int
    cap: int
    policy: int
    calendar: int
    product: int
    ids: dict = field(default_factory=dict)


PAGES = [
    Page("my cases", "cases:my_cases", EVERYONE),
    Page("queue", "cases:queue", EVERYONE),
    Page("queue, sorted by customer", "cases:queue", EVERYONE, query=lambda t: {"sort": "customer"}),
    Page("queue, all statuses", "cases:queue", EVERYONE, query=lambda t: {"status": "all"}),
    Page("case, open, long timeline", "cases:detail", EVERYONE, kwargs=lambda t: {"reference": t.open_case}),
    Page("case, resolved", "cases:detail", EVERYONE, kwargs=lambda t: {"reference": t.resolved_case}),
    Page("new case form", "cases:new", EVERYONE),
    Page("search by name", "cases:search", EVERYONE, query=lambda t: {"q": t.customer_name.split()[-1]}),
    Page("customer page", "desk:customer", EVERYONE, kwargs=lambda t: {"pk": t.customer}),
    Page("approvals", "remedies:approvals", LEADS),
    Page("at risk", "sla:at_risk", LEADS),
    Page("notifications", "sla:notifications", EVERYONE),
    Page("bell (polled)", "sla:bell", EVERYONE),
    Page("dashboard, default period", "insights:dashboard", LEADS),
    Page("dashboard's case list", "insights:cases", LEADS, query=lambda t: {"figure": "opened"}),
    Page("improvements", "insights:improvements", LEADS),
    Page("improvement", "insights:improvement", LEADS, kwargs=lambda t: {"pk": t.improvement}),
    Page("targets", "insights:targets", LEADS),
    Page("digest", "insights:digest", LEADS),
    Page("knowledge search", "knowledge:search", EVERYONE, query=lambda t: {"q": "delivery"}),
    Page("articles", "knowledge:articles", EVERYONE),
    Page("article", "knowledge:article", EVERYONE, kwargs=lambda t: {"pk": t.article}),
    Page("article, new", "knowledge:article_new", LEADS),
    Page("article, edit", "knowledge:article_edit", LEADS, kwargs=lambda t: {"pk": t.article}),
    Page("macros", "desk:macros", LEADS),
    Page("macro, new", "desk:macro_new", LEADS),
    Page("macro, edit", "desk:macro_edit", LEADS, kwargs=lambda t: {"pk": t.macro}),
    Page("webhooks", "integrations:webhooks", LEADS),
    Page("caps", "remedies:caps", MANAGERS),
    Page("cap, edit", "remedies:cap_edit", MANAGERS, kwargs=lambda t: {"pk": t.cap}),
    Page("policies", "sla:policies", MANAGERS),
    Page("policy, new", "sla:policy_new", MANAGERS),
    Page("policy, edit", "sla:policy_edit", MANAGERS, kwargs=lambda t: {"pk": t.policy}),
    Page("calendar, new", "sla:calendar_new", MANAGERS),
    Page("calendar, edit", "sla:calendar_edit", MANAGERS, kwargs=lambda t: {"pk": t.calendar}),
    Page("deliveries", "sla:deliveries", MANAGERS),
    Page(
        "rule history (caps)", "rules:history", MANAGERS, kwargs=lambda t: {"label": "remedies.authoritycap"}
    ),
    Page(
        "rule history (one cap)",
        "rules:record_history",
        MANAGERS,
        kwargs=lambda t: {"label": "remedies.authoritycap", "pk": t.cap},
    ),
    Page("erasures", "cases:customer_erasures", MANAGERS),
    Page("erase a customer (form)", "cases:customer_erase", MANAGERS, kwargs=lambda t: {"pk": t.customer}),
    Page("admin, index", "admin:index", ("admin",)),
    Page("admin, cases", "admin:cases_case_changelist", ("admin",)),
    # Parts of pages, loaded by htmx after the page itself (their time adds to what people wait).
    Page("part: case clocks", "sla:case_clocks", EVERYONE, kwargs=lambda t: {"reference": t.open_case}),
    Page(
        "part: case suggestions",
        "knowledge:case_panel",
        EVERYONE,
        kwargs=lambda t: {"reference": t.open_case},
    ),
    Page("part: case feed", "portal:feed", EVERYONE, kwargs=lambda t: {"reference": t.open_case}),
    Page("part: compose", "messaging:compose", EVERYONE, kwargs=lambda t: {"reference": t.open_case}),
    Page("part: customer lookup", "cases:customer_lookup", EVERYONE, query=lambda t: {"q": "lo"}),
    Page(
        "part: intake context",
        "desk:intake_context",
        EVERYONE,
        query=lambda t: {"channel": "email", "severity": "medium", "customer": t.customer},
    ),
    Page(
        "part: customer 360",
        "insights:customer_360",
        EVERYONE,
        query=lambda t: {"customer": t.customer, "product": t.product, "journey_stage": "delivery"},
    ),
    Page(
        "part: intake suggestions",
        "knowledge:intake_panel",
        EVERYONE,
        query=lambda t: {"summary": "Delivery two days late", "description": "The parcel came late."},
    ),
]

# Every other named URL, and why it is not timed here (tests/bench checks that none is forgotten).
POST_ONLY = "POST only"
NOT_TIMED = {
    "login": "the signed-out login page",
    "logout": POST_ONLY,
    "cases:bulk": POST_ONLY,
    "cases:saved_view_save": POST_ONLY,
    "cases:saved_view_delete": POST_ONLY,
    "cases:customer_export": "a download",
    "cases:transition": POST_ONLY,
    "cases:triage": POST_ONLY,
    "cases:action_add": POST_ONLY,
    "cases:action_status": POST_ONLY,
    "cases:assign": POST_ONLY,
    "cases:note": POST_ONLY,
    "cases:presence": POST_ONLY,
    "conversations:public_reply": POST_ONLY,
    "desk:macro_apply": POST_ONLY,
    "inbound:attachment": "a download",
    "insights:cases_csv": "a download",
    "insights:improvement_status": POST_ONLY,
    "insights:promote": POST_ONLY,
    "insights:follow_up": POST_ONLY,
    "insights:survey_send": POST_ONLY,
    "integrations:webhook_detail": "needs a webhook subscription; the demo data has none",
    "integrations:webhook_toggle": POST_ONLY,
    "integrations:webhook_redeliver": POST_ONLY,
    "knowledge:accept_root_cause": POST_ONLY,
    "knowledge:article_used": POST_ONLY,
    "messaging:reply": POST_ONLY,
    "messaging:reply_preview": POST_ONLY,
    "portal:status": "the customer's status page (bench/status_page.py)",
    "portal:reply": "the customer's",
    "portal:callback_move": "the customer's",
    "portal:callback_confirm": "the customer's",
    "portal:callback_book": POST_ONLY,
    "portal:callback_log": POST_ONLY,
    "portal:link_revoke": POST_ONLY,
    "portal:photo": "a download",
    "remedies:decide": POST_ONLY,
    "remedies:give": POST_ONLY,
    "remedies:cap_remove": POST_ONLY,
    "rules:history_csv": "a download",
    "rules:record_history_csv": "a download",
    "sla:delivery_retry": POST_ONLY,
    "sla:promise": POST_ONLY,
    "sla:promise_kept": POST_ONLY,
    "sla:customer_updated": POST_ONLY,
    "survey": "the customer's survey link",
    "healthz": "a probe, not a page",
    "readyz": "a probe, not a page",
    "api-schema": "the API's schema",
    "api-docs": "the API's documentation (Swagger UI)",
}
NOT_TIMED_NAMESPACES = ("api", "intake", "admin")  # JSON, signed webhooks; the admin's two pages above


# ---- the database -------------------------------------------------------------------------------


def setup(database: str, redis_db: int) -> None:
    """A fresh migrated `database`, an empty Redis db, Django set up on them with DEBUG off."""
    env = harness.recovery_env(database, redis_db)
    harness.migrated_database(database, env)
    harness.redis_flush(env["REDIS_URL"])
    os.environ.update(env)
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    import django

    django.setup()
    plain_static()


def plain_static() -> None:
    """Static URLs without a manifest (no collectstatic; in production the lookup is a dict hit)."""
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()


def seed_demo(cases: int = 100) -> None:
    """The demo data as `make run` loads it."""
    from django.core.management import call_command

    call_command("seed_demo", cases=cases, verbosity=0, stdout=io.StringIO())
    call_command("sla_demo", verbosity=0, stdout=io.StringIO())


def pick_targets() -> Targets:
    """The open case with the longest timeline and the resolved one with the longest, in the team;
    the customer with the most cases there; the first of each configured thing."""
    from django.db.models import Count

    from accounts.models import Team
    from cases.models import Case, Product
    from cases.models.case import OPEN_STATUSES, Status
    from desk.models import Macro
    from insights.models import Improvement
    from knowledge.models import Article
    from remedies.models import AuthorityCap
    from sla.models import BusinessCalendar, Policy

    team = Team.objects.get(name=TEAM)
    cases = Case.objects.filter(team=team).annotate(n=Count("events")).order_by("-n", "id")
    customer = (
        Case.objects.filter(team=team)
        .values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n", "customer_id")[0]
    )
    busiest = customer["customer_id"]
    return Targets(
        open_case=cases.filter(status__in=OPEN_STATUSES)[0].reference,
        resolved_case=cases.filter(status=Status.RESOLVED)[0].reference,
        customer=busiest,
        customer_name=Case.objects.filter(customer_id=busiest)[0].customer.name,
        article=Article.objects.order_by("id")[0].pk,
        improvement=Improvement.objects.order_by("id")[0].pk,
        macro=Macro.objects.order_by("id")[0].pk,
        cap=AuthorityCap.objects.order_by("id")[0].pk,
        policy=Policy.objects.order_by("id")[0].pk,
        calendar=BusinessCalendar.objects.order_by("id")[0].pk,
        product=Product.objects.order_by("id")[0].pk,
        ids={"team": team.pk},
    )


def fill_team(count: int, targets: Targets, *, analyse: bool = True) -> None:
    """`count` more cases in the team, a year of them in time order (a live table grows that
    way): the newest 3 % open with running clocks (first response on the new ones, resolution on
    all), the 6 % before resolved, the rest closed; three timeline events each (opened, answered,
    resolved); one in 500 on the busiest customer, the others on `count // 4` new customers.
    `analyse=False` inside a transaction (the test): no VACUUM there."""
    from accounts.models import User
    from bench import fill
    from cases.models import Case, CaseEvent, Product

    started = time.perf_counter()
    users = dict(User.objects.filter(username__in=["ava", "sam", "lee"]).values_list("username", "id"))
    products = list(Product.objects.order_by("id").values_list("id", flat=True))
    low, high = fill.customers(max(count // 4, 1), prefix="pages")
    spacing = 365 * 86400 / count
    open_from = count - max(count * 3 // 100, 1)  # g above this: open
    resolved_from = count - max(count * 9 // 100, 2)
    new_from = count - min(50, count - open_from)  # g above this: not answered yet
    status = (
        f"CASE WHEN g > {new_from} THEN 'new' WHEN g > {open_from}"
        " THEN (ARRAY['responded','waiting_on_customer'])[1 + g % 2]"
        f" WHEN g > {resolved_from} THEN 'resolved' ELSE 'closed' END"
    )
    opened = f"now() - make_interval(secs => ({count} - g + 1) * {spacing:.3f})"
    # Open cases: two agents' and the lead's, every fourth nobody's yet; closed ones the agents'.
    owner = (
        f"CASE WHEN g > {open_from} THEN (ARRAY[{users['ava']},{users['sam']},{users['lee']},NULL])[1 + g % 4]"
        f" ELSE (ARRAY[{users['ava']},{users['sam']}])[1 + g % 2] END"
    )
    ids = fill.cases(
        count,
        customer_ids=(low, high),
        team_id=targets.ids["team"],
        product_id=products[0],
        status_sql=status,
        opened_sql=opened,
        more={
            "customer_id": f"CASE WHEN g % 500 = 0 THEN {targets.customer} ELSE {low} + g % {high - low + 1} END",
            "product_id": f"(ARRAY{products})[1 + g % {len(products)}]",
            "channel": "(ARRAY['email','phone','chat','web_form','in_person'])[1 + g % 5]",
            "journey_stage": "(ARRAY['purchase','delivery','first_use','billing'])[1 + g % 4]",
            "owner_id": owner,
            "created_by_id": str(users["ava"]),
            "triage_stage": f"CASE WHEN g > {open_from} THEN 'what' WHEN g > {resolved_from} THEN 'why' ELSE 'done' END",
            "first_responded_at": f"CASE WHEN g > {new_from} THEN NULL ELSE {opened} + interval '25 minutes' END",
            "resolved_at": f"CASE WHEN g > {open_from} THEN NULL ELSE {opened} + interval '2 days' END",
            "closed_at": f"CASE WHEN g > {resolved_from} THEN NULL ELSE {opened} + interval '9 days' END",
        },
    )
    fill.clocks(
        case_ids=ids,
        kind="first_response",
        target_minutes=60,
        started_sql="c.opened_at",
        due_sql="c.opened_at + interval '60 minutes'",
        warn_sql="c.opened_at + interval '45 minutes'",
        where_sql="status = 'new'",
    )
    fill.clocks(
        case_ids=ids,
        kind="resolution",
        target_minutes=14 * 24 * 60,
        started_sql="c.opened_at",
        due_sql="c.opened_at + interval '14 days'",
        warn_sql="c.opened_at + interval '10 days'",
        where_sql="status IN ('new','responded','waiting_on_customer')",
    )
    low_id, high_id = ids
    source = f"(SELECT * FROM cases_case WHERE id BETWEEN {low_id} AND {high_id} ORDER BY id) AS c"
    fill.insert_select(
        CaseEvent,
        {
            "case_id": "c.id",
            "kind": "'case.opened'",
            "actor_id": "c.created_by_id",
            "created_at": "c.opened_at",
            "data": "jsonb_build_object('team', c.team_id, 'owner', c.owner_id, 'status', 'new',"
            " 'channel', c.channel, 'severity', c.severity, 'triage_stage', 'what')",
        },
        source,
    )
    fill.insert_select(
        CaseEvent,
        {
            "case_id": "c.id",
            "kind": "'case.transitioned'",
            "actor_id": "coalesce(c.owner_id, c.created_by_id)",
            "created_at": "c.first_responded_at",
            "data": """'{"to": "responded", "from": "new", "track": "status", "action": "respond",
                "message": "I am so sorry. I own this now and will fix it today."}'::jsonb""",
        },
        source.replace("ORDER BY", "AND first_responded_at IS NOT NULL ORDER BY"),
    )
    fill.insert_select(
        CaseEvent,
        {
            "case_id": "c.id",
            "kind": "'case.transitioned'",
            "actor_id": "coalesce(c.owner_id, c.created_by_id)",
            "created_at": "c.resolved_at",
            "data": """'{"to": "resolved", "from": "responded", "track": "status", "action": "resolve",
                "resolution": "Refunded the difference."}'::jsonb""",
        },
        source.replace("ORDER BY", "AND resolved_at IS NOT NULL ORDER BY"),
    )
    if analyse:
        fill.vacuum()
    from insights.services.rollup import rollup_refresh

    rollup_refresh()  # what beat does every minute: the dashboard reads its rollup
    total = Case.objects.filter(team_id=targets.ids["team"]).count()
    print(
        f"filled {count:,} cases ({total:,} in {TEAM}) in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


# ---- the measurement ----------------------------------------------------------------------------


def url_for(page: Page, targets: Targets) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    query = urlencode(page.query(targets))
    return reverse(page.name, kwargs=page.kwargs(targets)) + (f"?{query}" if query else "")


def measure(
    targets: Targets, *, requests: int, warmup: int = 3, pages: list[Page] | None = None
) -> list[dict]:
    """Per page and role: `warmup` untimed requests, the queries of one, then `requests` timed.
    Any answer but 200 stops the run: a page that fails is a finding, not a figure."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    clients = {}
    for role, username in ROLES.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))
    rows = []
    for page in pages or PAGES:
        url = url_for(page, targets)
        for role in page.roles:
            client = clients[role]

            def get(client=client, url=url, role=role):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} as {role}: {response.status_code} {response.content[:300]!r}")

            for _ in range(warmup):
                get()
            with CaptureQueriesContext(connection) as captured:
                get()
            queries = len(captured.captured_queries)  # read now: the next request empties the log
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                get()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            rows.append(
                {
                    "page": page.label,
                    "url": url,
                    "role": role,
                    "n": requests,
                    "p50": harness.pct(times, 0.5),
                    "p95": harness.pct(times, 0.95),
                    "max": times[-1],
                    "queries": queries,
                }
            )
    return rows


def table(title: str, rows: list[dict], target_ms: int) -> str:
    lines = [
        f"### {title} (target p95 <= {target_ms} ms)",
        "",
        "| page | role | n | p50 ms | p95 ms | max ms | queries |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        over = " **over**" if r["p95"] > target_ms else ""
        lines.append(
            f"| {r['page']} | {r['role']} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f}{over}"
            f" | {r['max']:.1f} | {r['queries']} |"
        )
    return "\n".join(lines)


def over(rows: list[dict], target_ms: int) -> list[str]:
    return [f"{r['page']} ({r['role']}, {r['p95']:.0f} ms)" for r in rows if r["p95"] > target_ms]


def grown(demo: list[dict], filled: list[dict]) -> list[str]:
    """Pages whose query count is higher with the cases added: a list that runs a query per row."""
    before = {(r["page"], r["role"]): r["queries"] for r in demo}
    return [
        f"{r['page']} ({r['role']}, {before[(r['page'], r['role'])]} -> {r['queries']})"
        for r in filled
        if (r["page"], r["role"]) in before and r["queries"] > before[(r["page"], r["role"])]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="recovery_bench_pages")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--cases", type=int, default=100_000, help="cases added to the team")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and role")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--demo-cases", type=int, default=100, help="seed_demo --cases (make run: 100)")
    parser.add_argument("--only", default="", help="time only the pages whose label contains this")
    parser.add_argument("--smoke", action="store_true", help="2,000 cases, 3 requests after 1, 30 demo cases")
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.requests, args.warmup, args.demo_cases = 2000, 3, 1, 30
    print(f"at start: {harness.load_note()}")
    began = time.perf_counter()
    setup(args.database, args.redis_db)
    seed_demo(args.demo_cases)
    targets = pick_targets()
    pages = [p for p in PAGES if args.only.lower() in p.label.lower()]
    print(
        f"open case {targets.open_case}, resolved case {targets.resolved_case}, customer {targets.customer}",
        file=sys.stderr,
    )
    demo = measure(targets, requests=args.requests, warmup=args.warmup, pages=pages)
    print(table(f"Demo data ({args.demo_cases} demo cases and the seeders' own)", demo, TARGET_MS["demo"]))
    fill_team(args.cases, targets)
    filled = measure(targets, requests=args.requests, warmup=args.warmup, pages=pages)
    print()
    print(table(f"Demo data + {args.cases:,} cases in {TEAM}", filled, TARGET_MS["filled"]))
    print()
    print(f"at end: {harness.load_note()}; {time.perf_counter() - began:.0f} s in all")
    slow_demo, slow_filled = over(demo, TARGET_MS["demo"]), over(filled, TARGET_MS["filled"])
    print(
        f"over target: {len(slow_demo)} of {len(demo)} on the demo data (p95 > {TARGET_MS['demo']} ms)"
        + (f": {'; '.join(slow_demo)}" if slow_demo else "")
    )
    print(
        f"over target: {len(slow_filled)} of {len(filled)} with {args.cases:,} cases"
        f" (p95 > {TARGET_MS['filled']} ms)" + (f": {'; '.join(slow_filled)}" if slow_filled else "")
    )
    more = grown(demo, filled)
    print(f"more queries with the cases added: {'; '.join(more) if more else 'none'}")


if __name__ == "__main__":
    main()
