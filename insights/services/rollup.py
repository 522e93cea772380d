"""The per-day rollup behind long dashboard periods: beat recomputes the days whose cases changed.

A run reads the cases changed since the last run's watermark (an index on updated_at; follow-ups,
survey answers, remedies and approvals by their own indexed times), takes the local days they
were opened, resolved, followed up and answered on, and recomputes those days whole, for every
team: the counts (DailyFigures) and the breakdowns (insights.services.rollup_breakdowns), in a
few grouped queries; the rows are replaced in one transaction, so a reader sees either the old
day or the new one. Cost is O(cases changed + their days' cases), never O(all cases).
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.models import Case

from ..models import (
    DailyBreakdown,
    DailyDurations,
    DailyFigures,
    DailyFollowUps,
    DailyRemedies,
    FollowUpOutcome,
    RollupRun,
    SurveyResponse,
)
from ..selectors import metrics
from ..selectors.pending import model_or_none
from . import rollup_breakdowns

# A transaction that began before the watermark can commit after it with an earlier updated_at:
# look back this far so its case is not missed (recomputing a day twice is harmless).
OVERLAP = datetime.timedelta(minutes=2)


def _changed_cases(since: datetime.datetime | None):
    if since is None:
        return Case.objects.all()
    changed = Q(updated_at__gte=since)  # a WHAT or WHY answer saved touches its case too
    # Written beside the case without touching it: each found through its own indexed time.
    beside = [
        FollowUpOutcome.objects.filter(recorded_at__gte=since),
        SurveyResponse.objects.filter(answered_at__gte=since),
    ]
    Approval = model_or_none("remedies", "ApprovalRequest")
    if Approval is not None:  # an approval asked for unmakes a first-touch fix
        beside.append(Approval.objects.filter(requested_at__gte=since))
        beside.append(model_or_none("remedies", "Remedy").objects.filter(given_at__gte=since))
    for rows in beside:
        changed |= Q(pk__in=rows.values("case_id"))
    return Case.objects.filter(changed)


def _days_of(cases, tz) -> set[datetime.date]:
    days = set()
    for field in ("opened_at", "resolved_at"):
        days |= set(
            cases.filter(**{f"{field}__isnull": False})
            .annotate(d=TruncDate(field, tzinfo=tz))
            .values_list("d", flat=True)
            .distinct()
        )
    return days | rollup_breakdowns.follow_up_days(cases, tz)


def _bounds(days: set[datetime.date]) -> tuple[datetime.datetime, datetime.datetime]:
    def midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    return midnight(min(days)), midnight(max(days) + datetime.timedelta(days=1))


def rollup_days(days: set[datetime.date], *, now: datetime.datetime) -> int:
    """Recomputes these local days for every team, every table; returns the rows written."""
    if not days:
        return 0
    tz = timezone.get_current_timezone()
    since, until = _bounds(days)
    opened = (
        Case.objects.filter(opened_at__gte=since, opened_at__lt=until)
        .annotate(day=TruncDate("opened_at", tzinfo=tz))
        .filter(day__in=days)
        .values("day", "team", "created_by")
        .annotate(
            opened=Count("pk"),
            responded=Count("pk", filter=Q(first_responded_at__isnull=False)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            first_touch=Count("pk", filter=metrics.first_touch_q()),
            handoffs=Sum("handoff_count"),
            handed_off=Count("pk", filter=Q(handoff_count__gt=0)),
        )
    )
    resolved = (
        Case.objects.filter(resolved_at__gte=since, resolved_at__lt=until)
        .annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .filter(day__in=days)
        .values_list("day", "team", "created_by")
        .annotate(n=Count("pk"))
    )
    rows: dict[tuple, DailyFigures] = {}
    for r in opened:
        rows[(r["day"], r["team"], r["created_by"])] = DailyFigures(
            day=r["day"],
            team_id=r["team"],
            created_by_id=r["created_by"],
            opened=r["opened"],
            responded=r["responded"],
            resolved=r["resolved"],
            first_touch=r["first_touch"],
            handoffs=r["handoffs"] or 0,
            handed_off=r["handed_off"],
            refreshed_at=now,
        )
    for day, team, author, n in resolved:
        row = rows.setdefault(
            (day, team, author), DailyFigures(day=day, team_id=team, created_by_id=author, refreshed_at=now)
        )
        row.resolved_that_day = n
    tables = {
        DailyFigures: list(rows.values()),
        DailyBreakdown: rollup_breakdowns.breakdowns(days, since, until, tz),
        DailyDurations: rollup_breakdowns.durations(days, since, until, tz),
        DailyRemedies: rollup_breakdowns.remedies(days, since, until, tz),
        DailyFollowUps: rollup_breakdowns.follow_ups(days, since, until, tz),
    }
    with transaction.atomic():
        for model, new in tables.items():
            model.objects.filter(day__in=days).delete()
            model.objects.bulk_create(new, batch_size=5000)
    return sum(len(new) for new in tables.values())


def rollup_refresh(*, now: datetime.datetime | None = None) -> int:
    """One beat tick: recompute the days of the cases changed since the last run."""
    now = now or timezone.now()
    with transaction.atomic():
        # The lock makes a second beat (or a slow tick overlapping the next) wait, not double up.
        run = RollupRun.objects.select_for_update().first()
        since = None if run is None else run.changed_since - OVERLAP
        days = _days_of(_changed_cases(since), timezone.get_current_timezone())
        written = rollup_days(days, now=now)
        if run is None:
            RollupRun.objects.create(changed_since=now, finished_at=timezone.now())
        else:
            run.changed_since, run.finished_at = now, timezone.now()
            run.save(update_fields=["changed_since", "finished_at"])
    return written
