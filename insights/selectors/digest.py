"""The manager's weekly digest: what the last seven days brought and what waits now.

Read by the digest page and by the e-mail beat sends (insights.services.digest): the same content.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ..models import Improvement, ImprovementStatus
from . import metrics, pending
from .pending import model_or_none
from .scope import Scope

DAYS = 7


@dataclass(frozen=True)
class Digest:
    scope: Scope
    previous: Scope
    breaches: int | None
    escalations: int | None
    approvals_waiting: int | None
    approvals_escalated: int | None
    spend: list[dict] | None
    counts: dict
    root_causes: list[dict]
    improvements_due: list[Any]


def _week(user, end: datetime.date) -> Scope:
    return Scope(user=user, start=end - datetime.timedelta(days=DAYS - 1), end=end)


def weekly_digest(user, *, now: datetime.datetime | None = None) -> Digest:
    """The seven days up to yesterday, compared with the seven before."""
    now = now or timezone.now()
    yesterday = timezone.localdate(now) - datetime.timedelta(days=1)
    scope, previous = _week(user, yesterday), _week(user, yesterday - datetime.timedelta(days=DAYS))
    breaches = escalations = approvals_escalated = None
    Clock, Firing = model_or_none("sla", "Clock"), model_or_none("sla", "Firing")
    if Clock is not None:
        breaches = Clock.objects.filter(
            scope.q("case__"), breached_at__gte=scope.since, breached_at__lt=scope.until
        ).count()
        escalations = Firing.objects.filter(
            scope.q("clock__case__"),
            level__startswith="L",
            fired_at__gte=scope.since,
            fired_at__lt=scope.until,
        ).count()
    Approval = model_or_none("remedies", "ApprovalRequest")
    if Approval is not None:
        approvals_escalated = Approval.objects.filter(
            scope.q("case__"), escalated_at__gte=scope.since, escalated_at__lt=scope.until
        ).count()
    return Digest(
        scope=scope,
        previous=previous,
        breaches=breaches,
        escalations=escalations,
        approvals_waiting=pending.approvals_waiting(scope),
        approvals_escalated=approvals_escalated,
        spend=pending.remedy_spend(scope),
        counts=metrics.period_counts(scope),
        root_causes=root_causes_changed(scope, previous),
        improvements_due=improvements_due(user, until=yesterday + datetime.timedelta(days=DAYS + 1)),
    )


def root_causes_changed(scope: Scope, previous: Scope, limit: int = 5) -> list[dict]:
    """This week's top root causes, each with last week's count and the change."""
    before = {row["value"]: row["count"] for row in metrics.root_cause_pareto(previous, limit=50)}
    return [
        {**row, "previous": before.get(row["value"], 0), "change": row["count"] - before.get(row["value"], 0)}
        for row in metrics.root_cause_pareto(scope, limit=limit)
    ]


def improvements_due(user, *, until: datetime.date) -> list[Improvement]:
    """Improvements not done that fall due within the coming week, or are overdue."""
    mine = Improvement.objects.exclude(status=ImprovementStatus.DONE).filter(due_date__lte=until)
    if not user.sees_all_teams:
        mine = mine.filter(owner=user) | mine.filter(cases__team__in=user.teams.all())
    return list(mine.select_related("owner", "root_cause").distinct().order_by("due_date", "id")[:20])
