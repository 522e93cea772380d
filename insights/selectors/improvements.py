"""Improvements and their effect: did the problem come back after the fix?"""

import datetime
import math
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from cases.models import Case
from cases.permissions import visible_cases

from ..models import Improvement

WEEKS = 8
WEEK = datetime.timedelta(days=7)


def improvement_list(user) -> QuerySet[Improvement]:
    return Improvement.objects.select_related("root_cause__parent", "product", "owner").annotate(
        case_count=Count("cases")
    )


def improvement_cases(user, improvement: Improvement) -> QuerySet[Case]:
    return (
        visible_cases(user)
        .filter(improvements=improvement)
        .select_related("customer", "team", "owner", "product")
        .order_by("-opened_at", "-id")
    )


def same_cause_cases(user, improvement: Improvement) -> QuerySet[Case]:
    """Cases the improvement is meant to prevent: same root cause, and product if it has one."""
    qs = visible_cases(user).filter(why__root_cause=improvement.root_cause_id)
    if improvement.product_id:
        qs = qs.filter(product=improvement.product_id)
    return qs


@dataclass(frozen=True)
class Effect:
    weeks: list[dict]  # {"offset": -8..7, "label", "count", "after": bool}
    before: int
    after: int
    weeks_after: float
    before_per_week: float
    after_per_week: float | None
    recurrence: float | None  # after-rate as a % of the before-rate; None until a week has passed


def improvement_effect(user, improvement: Improvement) -> Effect | None:
    """New cases with the root cause per week, for 8 weeks before and after completion."""
    if improvement.completed_at is None:
        return None
    pivot, now = improvement.completed_at, timezone.now()
    stop = min(now, pivot + WEEKS * WEEK)
    opened = (
        same_cause_cases(user, improvement)
        .filter(opened_at__gte=pivot - WEEKS * WEEK, opened_at__lt=stop)
        .values_list("opened_at", flat=True)
    )
    counts: dict[int, int] = {}
    for at in opened:
        offset = math.floor((at - pivot) / WEEK)
        counts[offset] = counts.get(offset, 0) + 1
    weeks_after = max((stop - pivot) / WEEK, 0)
    shown_after = math.ceil(weeks_after)
    weeks = [
        {
            "offset": i,
            "label": f"{i} w" if i < 0 else f"+{i} w",
            "count": counts.get(i, 0),
            "after": i >= 0,
        }
        for i in range(-WEEKS, shown_after)
    ]
    before = sum(c for i, c in counts.items() if i < 0)
    after = sum(c for i, c in counts.items() if i >= 0)
    before_rate = before / WEEKS
    after_rate = after / weeks_after if weeks_after >= 1 else None
    recurrence = round(100 * after_rate / before_rate, 1) if after_rate is not None and before else None
    return Effect(
        weeks=weeks,
        before=before,
        after=after,
        weeks_after=round(weeks_after, 1),
        before_per_week=round(before_rate, 2),
        after_per_week=round(after_rate, 2) if after_rate is not None else None,
        recurrence=recurrence,
    )
