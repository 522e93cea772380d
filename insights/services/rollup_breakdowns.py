"""The rollup's breakdowns: what a long period's Pareto, triage breakdowns, remedy ledger,
follow-ups, CSAT and time percentiles sum, per local day and team.

Each function reads the given days whole, in grouped queries, and returns unsaved rows;
insights.services.rollup replaces the days' rows in one transaction with DailyFigures.
"""

import datetime
from collections import Counter

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Extract, Greatest, TruncDate

from cases.models import Case
from cases.models.triage import WHY_QUESTIONS, Origin, TriState

from ..models import (
    Breakdown,
    DailyBreakdown,
    DailyDurations,
    DailyFollowUps,
    DailyRemedies,
    Duration,
    FollowUpOutcome,
    SurveyResponse,
)
from ..selectors import histogram
from ..selectors.pending import model_or_none


def _on_days(queryset, field: str, days, since, until, tz):
    """Rows of `queryset` whose `field` falls on one of these local days, with that day."""
    return (
        queryset.filter(**{f"{field}__gte": since, f"{field}__lt": until})
        .annotate(day=TruncDate(field, tzinfo=tz))
        .filter(day__in=days)
    )


def breakdowns(days, since, until, tz) -> list[DailyBreakdown]:
    cohort = _on_days(Case.objects.all(), "opened_at", days, since, until, tz)
    counts: Counter = Counter()

    def add(rows, breakdown, value=lambda v: str(v)):
        for day, team, v, n in rows:
            counts[(day, team, breakdown, value(v))] += n

    def grouped(queryset, field):
        return queryset.values_list("day", "team", field).annotate(n=Count("pk")).order_by()

    why = cohort.filter(why__isnull=False)
    add(grouped(why.filter(why__root_cause__isnull=False), "why__root_cause"), Breakdown.ROOT_CAUSE)
    # Origins and every question's answers in one pass: a conditional count per value.
    answers = {f"origin={o}": Q(why__origin=o) for o in ("", *Origin.values)}
    answers |= {f"{q}={v}": Q(**{f"why__{q}": v}) for q in WHY_QUESTIONS for v in TriState.values}
    named = {f"n{i}": name for i, name in enumerate(answers)}
    for row in (
        why.values("day", "team")
        .annotate(**{alias: Count("pk", filter=answers[name]) for alias, name in named.items()})
        .order_by()
    ):
        for alias, name in named.items():
            if row[alias]:
                question, value = name.split("=", 1)
                kind = Breakdown.WHY_ORIGIN if question == "origin" else Breakdown.WHY_ANSWER
                counts[(row["day"], row["team"], kind, value if question == "origin" else name)] += row[alias]
    what = cohort.filter(what__isnull=False)
    add(grouped(what.exclude(what__journey_stage=""), "what__journey_stage"), Breakdown.WHAT_STAGE)
    add(grouped(what.exclude(what__part_affected=""), "what__part_affected"), Breakdown.WHAT_PART)
    Remedy = model_or_none("remedies", "Remedy")
    if Remedy is not None:
        # The spend per case divides by cases, not remedies: a case is counted once per currency,
        # on the day it was opened, so the days and teams of a period add up without overlap.
        given = _on_days(Remedy.objects.all(), "case__opened_at", days, since, until, tz)
        cases = given.values_list("day", "case__team", "currency").annotate(n=Count("case", distinct=True))
        add(cases.order_by(), Breakdown.REMEDY_CASES)
    surveys = _on_days(SurveyResponse.objects.all(), "answered_at", days, since, until, tz)
    scores = surveys.values_list("day", "case__team", "score").annotate(n=Count("pk")).order_by()
    add(scores, Breakdown.CSAT_SCORE)
    return [
        DailyBreakdown(day=day, team_id=team, breakdown=kind, value=value, count=n)
        for (day, team, kind, value), n in counts.items()
    ]


def durations(days, since, until, tz) -> list[DailyDurations]:
    cohort = _on_days(Case.objects.all(), "opened_at", days, since, until, tz)
    counts: Counter = Counter()
    for kind, stop in ((Duration.FIRST_RESPONSE, "first_responded_at"), (Duration.RESOLUTION, "resolved_at")):
        done = cohort.filter(**{f"{stop}__isnull": False})
        if connection.vendor == "postgresql":
            rows = _buckets_in_postgresql(done, stop)
        else:
            rows = (
                (day, team, histogram.bucket_of((b - a).total_seconds()))
                for day, team, a, b in done.values_list("day", "team", "opened_at", stop)
            )
            rows = Counter(rows).items()
            rows = [(day, team, bucket, n) for (day, team, bucket), n in rows]
        for day, team, bucket, n in rows:
            counts[(day, team, kind, bucket)] += n
    return [
        DailyDurations(day=day, team_id=team, duration=kind, bucket=bucket, count=n)
        for (day, team, kind, bucket), n in counts.items()
    ]


def _buckets_in_postgresql(done, stop: str):
    """One row per day, team and bucket: width_bucket against the fixed edges, in the database."""
    from django.contrib.postgres.fields import ArrayField

    elapsed = ExpressionWrapper(F(stop) - F("opened_at"), output_field=DurationField())
    edges = Value([float(e) for e in histogram.EDGES], output_field=ArrayField(FloatField()))
    # EDGES[0] is 0 s, so width_bucket counts from 1; a negative duration (clock skew) gives 0.
    position = Func(Extract(elapsed, "epoch"), edges, function="width_bucket", output_field=IntegerField())
    return (
        done.annotate(bucket=Greatest(position - 1, 0))
        .values_list("day", "team", "bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )


def remedies(days, since, until, tz) -> list[DailyRemedies]:
    Remedy = model_or_none("remedies", "Remedy")
    if Remedy is None:
        return []
    rows = (
        _on_days(Remedy.objects.all(), "case__opened_at", days, since, until, tz)
        .values_list("day", "case__team", "given_by", "kind", "case__why__root_cause", "currency")
        .annotate(n=Count("pk"), total=Sum("amount"), plus_one=Count("pk", filter=Q(plus_one=True)))
        .order_by()
    )
    return [
        DailyRemedies(
            day=day,
            team_id=team,
            given_by_id=given_by,
            kind_id=kind,
            root_cause_id=cause,
            currency=currency,
            remedies=n,
            total=total,
            plus_one=plus_one,
        )
        for day, team, given_by, kind, cause, currency, n, total, plus_one in rows
    ]


def follow_ups(days, since, until, tz) -> list[DailyFollowUps]:
    following = FollowUpOutcome.objects.filter(
        case=OuterRef("case"), recorded_at__gt=OuterRef("recorded_at")
    ).order_by("recorded_at")
    rows = (
        _on_days(FollowUpOutcome.objects.all(), "recorded_at", days, since, until, tz)
        .annotate(next_at=Subquery(following.values("recorded_at")[:1]))
        .annotate(next_day=Cast(TruncDate("next_at", tzinfo=tz), DateField()))
        .values_list("day", "case__team", "retained", "next_day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        DailyFollowUps(day=day, team_id=team, retained=retained, superseded_on=next_day, count=n)
        for day, team, retained, next_day, n in rows
        if next_day != day  # superseded the same day: no period ends between the two
    ]


def follow_up_days(cases, tz) -> set[datetime.date]:
    """The days of every follow-up and survey answer of these cases: a new follow-up changes
    whether the one before it is its case's last."""
    days = set()
    for model, field in ((FollowUpOutcome, "recorded_at"), (SurveyResponse, "answered_at")):
        days |= set(
            model.objects.filter(case__in=cases.values("pk"))
            .annotate(d=TruncDate(field, tzinfo=tz))
            .values_list("d", flat=True)
            .distinct()
        )
    return days
