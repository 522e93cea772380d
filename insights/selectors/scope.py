"""What a dashboard question is about: who asks, which period, which slice of cases."""

import datetime
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Case

from ..models import RollupRun

SLICE_FIELDS = ("team", "channel", "severity", "product", "journey_stage")


@dataclass(frozen=True)
class Scope:
    user: Any
    start: datetime.date
    end: datetime.date  # inclusive: the last day shown
    bucket: str = "day"
    slice: dict[str, Any] = field(default_factory=dict)  # field name -> id or code

    @property
    def since(self) -> datetime.datetime:
        return _midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        """Exclusive upper bound: midnight after the last day."""
        return _midnight(self.end + datetime.timedelta(days=1))

    @cached_property
    def team_ids(self) -> list[int]:
        # Read once per dashboard: literal ids plan better than a subquery in every figure.
        return list(self.user.teams.values_list("pk", flat=True))

    @cached_property
    def rollup_as_of(self) -> datetime.datetime | None:
        """The rollup's watermark (None before its first run), read once per dashboard: the page
        and each figure that may read the rollup ask."""
        return RollupRun.objects.values_list("changed_since", flat=True).first()

    def narrowed(self, **changes) -> "Scope":
        """Part of this scope (fewer days, another bucket) that keeps what was read once: the
        rollup's halves of a period would otherwise read the user's teams again, each."""
        part = replace(self, **changes)
        for name in ("team_ids", "rollup_as_of"):
            if name in self.__dict__:
                part.__dict__[name] = self.__dict__[name]
        return part

    def teams(self) -> set[int] | None:
        """The teams whose cases this scope counts: the user's, narrowed by a team slice; None
        for every team."""
        teams = None if self.user.sees_all_teams else set(self.team_ids)
        if "team" in self.slice:
            picked = {int(self.slice["team"])}
            teams = picked if teams is None else teams & picked
        return teams

    def q(self, prefix: str = "") -> Q:
        """The slice and the user's team scope as a filter on Case, or on a model joined to it."""
        q = Q(**{f"{prefix}{name}": value for name, value in self.slice.items()})
        if not self.user.sees_all_teams:
            q &= Q(**{f"{prefix}team__in": self.team_ids})
        return q

    def cases(self) -> QuerySet[Case]:
        """Every case in the slice the user may see, whenever opened (for the 'now' figures).

        The same rule as cases.permissions.visible_cases, with the teams read once."""
        user = self.user
        if user is None or not user.is_authenticated or not user.is_active:
            return Case.objects.none()
        return Case.objects.filter(self.q())

    def cohort(self) -> QuerySet[Case]:
        """Cases opened in the period: the base of the period figures."""
        return self.cases().filter(opened_at__gte=self.since, opened_at__lt=self.until)

    def params(self, **extra) -> str:
        """The query string that reproduces this scope, for drill-down and export links."""
        values = {"start": self.start.isoformat(), "end": self.end.isoformat(), "bucket": self.bucket}
        values.update(self.slice)
        values.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(values)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
