"""Unsliced periods read the per-day rollup (insights.services.rollup) for the days before today
and count today live, so a dashboard sums a few rows per day and team instead of reading tens or
hundreds of thousands of cases. Sliced periods (channel, product...) and a period of today alone
are not rolled up: live."""

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from ..models import DailyFigures
from . import metrics
from .scope import Scope

COUNTS = ("opened", "responded", "resolved", "first_touch", "handoffs", "handed_off")


@dataclass(frozen=True)
class Freshness:
    source: str  # "rollup" or "live"
    as_of: datetime.datetime  # the days before today are as they were then


def freshness(scope: Scope, *, now: datetime.datetime | None = None) -> Freshness:
    """Whether this scope's counts and trend come from the rollup, and as of when."""
    now = now or timezone.now()
    # Even a month read live cost ~0.5 s at 1M cases (the four ledgers and the triage breakdowns
    # join a month of remedies and answers): every period with days before today reads the rollup.
    if set(scope.slice) - {"team"} or scope.start >= timezone.localdate(now):
        return Freshness("live", now)
    run = scope.rollup_as_of
    return Freshness("live", now) if run is None else Freshness("rollup", run)


def _split(scope: Scope) -> tuple[Scope, Scope | None]:
    """The days before today (rolled up) and today (live) of the scope, if it reaches today."""
    today = timezone.localdate()
    if scope.end < today:
        return scope, None
    before = scope.narrowed(end=today - datetime.timedelta(days=1))
    return before, scope.narrowed(start=today, end=today)


def _rows(scope: Scope):
    return DailyFigures.objects.filter(scope.q(), day__gte=scope.start, day__lte=scope.end)


def period_counts(scope: Scope) -> dict:
    """The same figures as metrics.period_counts, summed from the rollup plus today live."""
    before, today = _split(scope)
    row = _rows(before).aggregate(**{name: Sum(name) for name in COUNTS})
    row = {name: row[name] or 0 for name in COUNTS}
    if today is not None:
        live = metrics.period_counts(today)
        row = {name: row[name] + (live[name] or 0) for name in COUNTS}
    row["first_touch_rate"] = metrics._share(row["first_touch"], row["resolved"])
    row["handoffs_per_case"] = round(row["handoffs"] / row["opened"], 2) if row["opened"] else None
    return row


def trend(scope: Scope) -> list[dict]:
    """The same buckets as metrics.trend, from the rollup's days plus today live."""
    before, today = _split(scope)
    per_day = {
        day: (opened, resolved)
        for day, opened, resolved in _rows(before)
        .values_list("day")
        .annotate(o=Sum("opened"), r=Sum("resolved_that_day"))
        .values_list("day", "o", "r")
    }
    live = {}
    if today is not None:
        live = {row["bucket"]: row for row in metrics.trend(today.narrowed(bucket="day"))}
    out = []
    for row in metrics.trend_buckets(scope):
        last = row["end"]
        day, opened, resolved = row["start"], 0, 0
        while day <= last:
            o, r = per_day.get(day, (0, 0))
            if day in live:
                o, r = live[day]["opened"], live[day]["resolved"]
            opened, resolved = opened + o, resolved + r
            day += datetime.timedelta(days=1)
        out.append({**row, "opened": opened, "resolved": resolved})
    return out


def first_touch_by(scope: Scope, key: str, *names: str) -> list[dict]:
    """Resolved and first-touch counts per author or team (`key` and its name fields are the same
    on Case and DailyFigures), from the rollup's days plus today live."""
    before, today = _split(scope)
    rows: dict = {}
    sources = [
        _rows(before).values(key, *names).annotate(resolved=Sum("resolved"), first_touch=Sum("first_touch"))
    ]
    if today is not None:
        sources.append(metrics.first_touch_rows(today, key, *names))
    for source in sources:
        for row in source:
            if not row["resolved"]:
                continue
            found = rows.setdefault(row[key], {**row, "resolved": 0, "first_touch": 0})
            found["resolved"] += row["resolved"]
            found["first_touch"] += row["first_touch"]
    return sorted(rows.values(), key=lambda r: (r[key] is None, r[key] or 0))
