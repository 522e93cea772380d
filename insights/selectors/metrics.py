"""The dashboard's figures. Each is one function over a Scope, computed in the database.

Period figures follow the cohort of cases opened in the period, so every number drills down
to a list of cases; follow-ups and survey answers count those recorded in the period.
"""

import datetime
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Trunc
from django.utils import timezone

from cases.models import Customer, Status, TriageStage
from cases.models.case import OPEN_STATUSES

from ..models import FollowUpOutcome, Retained, SurveyResponse
from .scope import Scope


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (linear interpolation between neighbours)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, percentile: float, **extra):
        super().__init__(expression, percentile=repr(float(percentile)), **extra)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """The same interpolation as PostgreSQL's percentile_cont, for databases without it."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    count: int
    median: datetime.timedelta | None
    p90: datetime.timedelta | None


def _spread(queryset, start: str, stop: str) -> Spread:
    done = queryset.filter(**{f"{stop}__isnull": False})
    elapsed = ExpressionWrapper(F(stop) - F(start), output_field=DurationField())
    if connection.vendor == "postgresql":
        row = done.aggregate(
            count=Count("pk"),
            median=PercentileCont(elapsed, percentile=0.5, output_field=DurationField()),
            p90=PercentileCont(elapsed, percentile=0.9, output_field=DurationField()),
        )
        return Spread(row["count"], row["median"], row["p90"])
    seconds = [(b - a).total_seconds() for a, b in done.values_list(start, stop)]

    def as_delta(value):
        return None if value is None else datetime.timedelta(seconds=value)

    return Spread(
        len(seconds), as_delta(percentile_cont(seconds, 0.5)), as_delta(percentile_cont(seconds, 0.9))
    )


def first_response_times(scope: Scope) -> Spread:
    return _spread(scope.cohort(), "opened_at", "first_responded_at")


def resolution_times(scope: Scope) -> Spread:
    return _spread(scope.cohort(), "opened_at", "resolved_at")


FIRST_TOUCH = Q(resolved_at__isnull=False, owner_id=F("created_by_id"), handoff_count=0)


def first_touch_q() -> Q:
    """Solved by the first person, on their own authority: never handed off and no approval asked.
    (The seed's target: more than 95 % of problems fixed without a manager.)"""
    from django.apps import apps

    if not apps.is_installed("remedies"):
        return FIRST_TOUCH
    approvals = apps.get_model("remedies", "ApprovalRequest").objects.filter(case=OuterRef("pk"))
    return FIRST_TOUCH & ~Exists(approvals)


def period_counts(scope: Scope) -> dict:
    """Opened, responded, resolved, first-touch fixes and hand-offs of the cohort, in one query.

    First-touch: resolved by the person who logged it, never handed off.
    """
    row = scope.cohort().aggregate(
        opened=Count("pk"),
        responded=Count("pk", filter=Q(first_responded_at__isnull=False)),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        first_touch=Count("pk", filter=first_touch_q()),
        handoffs=Sum("handoff_count"),
        handed_off=Count("pk", filter=Q(handoff_count__gt=0)),
    )
    row["handoffs"] = row["handoffs"] or 0
    row["first_touch_rate"] = _share(row["first_touch"], row["resolved"])
    row["handoffs_per_case"] = round(row["handoffs"] / row["opened"], 2) if row["opened"] else None
    return row


def first_touch_rows(scope: Scope, key: str, *names: str) -> list[dict]:
    """The cohort's resolved cases and first-touch fixes per `key` (created_by, team), live."""
    return list(
        scope.cohort()
        .filter(resolved_at__isnull=False)
        .values(key, *names)
        .annotate(resolved=Count("pk"), first_touch=Count("pk", filter=first_touch_q()))
        .order_by(key)
    )


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def now_by_status_and_stage(scope: Scope) -> tuple[list[dict], list[dict]]:
    """Cases not closed yet, by where the customer stands and by triage stage, in one query
    (WHY and WHAT DIFFERENT often go on after the customer's fix)."""
    rows = (
        scope.cases()
        .exclude(status=Status.CLOSED)
        .values_list("status", "triage_stage")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_status: dict[str, int] = {}
    by_stage: dict[str, int] = {}
    for status, stage, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        by_stage[stage] = by_stage.get(stage, 0) + n
    return (
        [
            {"value": s.value, "label": s.label, "count": by_status.get(s.value, 0)}
            for s in Status
            if s != Status.CLOSED
        ],
        [{"value": s.value, "label": s.label, "count": by_stage.get(s.value, 0)} for s in TriageStage],
    )


def now_by_status(scope: Scope) -> list[dict]:
    return now_by_status_and_stage(scope)[0]


def now_by_stage(scope: Scope) -> list[dict]:
    return now_by_status_and_stage(scope)[1]


def owner_load(scope: Scope) -> list[dict]:
    """Cases where the customer still waits (new, responded, waiting), per owner, busiest first."""
    rows = (
        scope.cases()
        .filter(status__in=OPEN_STATUSES)
        .values("owner", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(n=Count("*"))
        .order_by("-n", "owner__username")
    )
    load = []
    for row in rows:
        if row["owner"] is None:  # the join found nobody: no names to join ("None None")
            load.append({"value": "none", "label": "Unassigned", "count": row["n"]})
            continue
        first, last = row["owner__first_name"] or "", row["owner__last_name"] or ""
        name = f"{first} {last}".strip() or row["owner__username"]
        load.append({"value": row["owner"], "label": name, "count": row["n"]})
    return load


def _latest_follow_ups(scope: Scope):
    """Each case's last follow-up within the period (bounding `later` too keeps it index-sized)."""
    in_period = {"recorded_at__gte": scope.since, "recorded_at__lt": scope.until}
    later = FollowUpOutcome.objects.filter(
        case=OuterRef("case"), recorded_at__gt=OuterRef("recorded_at"), **in_period
    )
    return FollowUpOutcome.objects.filter(scope.q("case__"), **in_period).filter(~Exists(later))


def follow_up_outcomes(scope: Scope) -> dict:
    """Each case's latest follow-up in the period: retained, lost or unknown."""
    counts = dict(_latest_follow_ups(scope).values_list("retained").annotate(n=Count("pk")))
    rows = [{"value": r.value, "label": r.label, "count": counts.get(r.value, 0)} for r in Retained]
    total = sum(r["count"] for r in rows)
    return {"rows": rows, "total": total, "retention_rate": _share(counts.get(Retained.YES, 0), total)}


def csat(scope: Scope) -> dict:
    """Survey answers given in the period. CSAT is the share of 4 and 5 scores."""
    row = SurveyResponse.objects.filter(
        scope.q("case__"), answered_at__gte=scope.since, answered_at__lt=scope.until
    ).aggregate(
        responses=Count("pk"),
        average=Avg("score"),
        **{f"s{i}": Count("pk", filter=Q(score=i)) for i in range(1, 6)},
    )
    return {
        "responses": row["responses"],
        "average": round(row["average"], 2) if row["average"] is not None else None,
        "csat": _share(row["s4"] + row["s5"], row["responses"]),
        "scores": [{"value": i, "label": str(i), "count": row[f"s{i}"]} for i in range(1, 6)],
    }


def root_cause_pareto(scope: Scope, limit: int = 10) -> list[dict]:
    """Root causes of the cohort's WHY answers, most frequent first, with the cumulative share."""
    rows = list(
        scope.cohort()
        # A WHY answer is always written after its case was opened, so this condition holds for
        # every cohort case; stating it lets PostgreSQL read only recent answers (an index on
        # updated_at) instead of joining all of them: 150 ms -> 28 ms at 1M cases.
        .filter(why__root_cause__isnull=False, why__updated_at__gte=scope.since)
        .values("why__root_cause", "why__root_cause__name", "why__root_cause__parent__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "why__root_cause__name")
    )
    total = sum(r["n"] for r in rows)
    pareto, running = [], 0
    for row in rows[:limit]:
        running += row["n"]
        parent = row["why__root_cause__parent__name"]
        pareto.append(
            {
                "value": row["why__root_cause"],
                "label": f"{parent} › {row['why__root_cause__name']}"
                if parent
                else row["why__root_cause__name"],
                "count": row["n"],
                "cumulative": _share(running, total),
            }
        )
    return pareto


def _repeat_groups(cohort):
    return cohort.values("customer").annotate(n=Count("*")).filter(n__gte=2)


def repeat_customers(scope: Scope, limit: int = 5) -> dict:
    """Customers with two or more cases opened in the period (one grouped query, names for the top)."""
    return repeat_customers_of(scope.cohort(), limit=limit)


def repeat_customers_of(cohort, *, limit: int = 5) -> dict:
    """The repeat customers among these cases: the totals, the top `limit` and their names come
    back from one query (window sums over the groups), so a year's 100k+ groups never reach Python."""
    # Named columns in the inner SQL (SQLite has no column list on a derived table's alias).
    groups = cohort.values(who=F("customer")).annotate(n=Count("*")).filter(n__gte=2)
    sql, params = groups.values_list("who", "n").query.sql_with_params()
    # The inner SQL is Django's, its values are parameters.
    top = (
        "SELECT g.who AS customer, g.n, count(*) OVER () AS customers, sum(g.n) OVER () AS cases"  # noqa: S608
        f" FROM ({sql}) g ORDER BY g.n DESC, g.who LIMIT %s"
    )
    named = (
        f"SELECT t.customer, t.n, t.customers, t.cases, c.name FROM ({top}) t"  # noqa: S608
        f" JOIN {Customer._meta.db_table} c ON c.id = t.customer ORDER BY t.n DESC, t.customer"
    )
    with connection.cursor() as cursor:
        cursor.execute(named, (*params, limit))
        groups = cursor.fetchall()
    return {
        "customers": groups[0][2] if groups else 0,
        "cases": int(groups[0][3]) if groups else 0,
        "top": [{"value": c, "label": name, "count": n} for c, n, _, _, name in groups],
    }


def repeat_customer_ids(scope: Scope):
    return _repeat_groups(scope.cohort()).values("customer")


def trend(scope: Scope) -> list[dict]:
    """Cases opened and resolved per day or week of the period (empty buckets shown as 0)."""
    tz = timezone.get_current_timezone()

    def per_bucket(queryset, field):
        rows = (
            queryset.filter(**{f"{field}__gte": scope.since, f"{field}__lt": scope.until})
            .annotate(b=Trunc(field, scope.bucket, tzinfo=tz))
            .values_list("b")
            .annotate(n=Count("pk"))
        )
        return {
            timezone.localtime(b, tz).date() if isinstance(b, datetime.datetime) else b: n for b, n in rows
        }

    opened = per_bucket(scope.cases(), "opened_at")
    resolved = per_bucket(scope.cases(), "resolved_at")
    return [
        {**row, "opened": opened.get(row["bucket"], 0), "resolved": resolved.get(row["bucket"], 0)}
        for row in trend_buckets(scope)
    ]


def trend_buckets(scope: Scope) -> list[dict]:
    """The trend's days or weeks, each with the first and last day of the period it covers."""
    return [
        {"bucket": day, "start": max(day, scope.start), "end": _bucket_end(scope, day)}
        for day in _buckets(scope)
    ]


def _buckets(scope: Scope) -> list[datetime.date]:
    day = scope.start
    if scope.bucket == "week":
        day -= datetime.timedelta(days=day.weekday())
    step = datetime.timedelta(days=7 if scope.bucket == "week" else 1)
    days = []
    while day <= scope.end:
        days.append(day)
        day += step
    return days


def _bucket_end(scope: Scope, day: datetime.date) -> datetime.date:
    return min(scope.end, day + datetime.timedelta(days=6 if scope.bucket == "week" else 0))
