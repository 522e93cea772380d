"""Beat keeps the repeat customers of the standard periods (insights.models.RepeatCustomers) for
every team and for each team lead's set of teams, so the dashboard's default month, a quarter
and a year show them without grouping every case of the period on each view."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from cases.models import Case

from ..models import RepeatCustomers
from ..selectors import metrics
from ..selectors.repeat import teams_key

# The periods the page is mostly asked for: the default month, a quarter, a year.
STANDARD_DAYS = (30, 90, 365)


def _team_sets() -> set[frozenset[int] | None]:
    """Every team (managers), and each active team lead's teams."""
    leads = (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, role=Role.TEAM_LEAD)
        .prefetch_related("teams")
    )
    return {None} | {lead.team_ids for lead in leads if lead.team_ids}


def repeat_customers_refresh(*, now: datetime.datetime | None = None) -> int:
    """Recomputes today's standard periods for every set of teams; returns the rows written.
    Rows of periods that no longer end today are dropped: the page then counts live."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min)
    )
    rows = []
    for teams in _team_sets():
        cases = Case.objects.all() if teams is None else Case.objects.filter(team__in=teams)
        for days in STANDARD_DAYS:
            start = today - datetime.timedelta(days=days - 1)
            opened_from = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
            figure = metrics.repeat_customers_of(
                cases.filter(opened_at__gte=opened_from, opened_at__lt=since)
            )
            rows.append(
                RepeatCustomers(
                    start=start,
                    end=today,
                    teams=teams_key(teams),
                    customers=figure["customers"],
                    cases=figure["cases"],
                    top=figure["top"],
                    computed_at=now,
                )
            )
    with transaction.atomic():
        RepeatCustomers.objects.exclude(end=today).delete()
        RepeatCustomers.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["start", "end", "teams"],
            update_fields=["customers", "cases", "top", "computed_at"],
        )
    return len(rows)
