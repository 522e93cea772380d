"""Authority: which cap applies to whom, what is left, and which caps a remedy would pass.

Reads only; the services hold the locks that make these numbers safe to act on.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from .models import AuthorityCap, Budget, Remedy, RemedyKind

ZERO = Decimal("0.00")


def effective_cap(user, kind: RemedyKind | None) -> AuthorityCap | None:
    """The most specific row wins: user+kind, user, role+kind, role."""
    rows = AuthorityCap.objects.filter(
        (Q(user=user) | Q(user__isnull=True, role=user.role)) & (Q(kind__isnull=True) | Q(kind=kind))
    )

    def rank(cap: AuthorityCap) -> tuple[int, int]:
        return (0 if cap.user_id else 1, 0 if cap.kind_id else 1)

    caps = sorted(rows, key=rank)
    return caps[0] if caps else None


def case_total(case_id: int, currency: str) -> Decimal:
    total = Remedy.objects.filter(case_id=case_id, currency=currency).aggregate(t=Sum("amount"))["t"]
    return (total or ZERO).quantize(ZERO)


def budget_day(instant: datetime.datetime) -> datetime.date:
    """The day a budget row belongs to: the day in TIME_ZONE.

    Not the zone activated for whoever is looking, nor UTC, nor the machine's: a give at 23:30
    in London is that day's spending wherever the server or the viewer is.
    """
    return timezone.localdate(instant, timezone.get_default_timezone())


def spent(user, currency: str, today: datetime.date) -> tuple[Decimal, Decimal]:
    """(today, this month) spent within the user's own authority."""
    rows = Budget.objects.filter(user=user, currency=currency, day__gte=today.replace(day=1), day__lte=today)
    day = month = ZERO
    for row in rows:
        month += row.spent
        if row.day == today:
            day = row.spent
    return day, month


def _left(limit: Decimal | None, used: Decimal) -> Decimal | None:
    return None if limit is None else max(limit - used, ZERO)


@dataclass(frozen=True)
class Authority:
    """What `user` may still give on a case without asking. `None` means no limit."""

    currency: str
    per_remedy: Decimal | None
    case_left: Decimal | None
    day_left: Decimal | None
    month_left: Decimal | None
    has_cap: bool = True

    @property
    def most_now(self) -> Decimal | None:
        """The largest single remedy that would go through at once."""
        limits = [
            v for v in (self.per_remedy, self.case_left, self.day_left, self.month_left) if v is not None
        ]
        return min(limits) if limits else None

    @property
    def unlimited(self) -> bool:
        return self.has_cap and self.most_now is None

    def problems(self, amount: Decimal, currency: str) -> list[str]:
        """Every cap this remedy would pass, in words: the reason on the approval request."""
        if amount <= 0:
            return []
        if not self.has_cap:
            return ["You have no authority to give remedies that cost money."]
        if currency != self.currency:
            return [f"Your limits are in {self.currency}; a remedy in {currency} needs an approval."]
        checks = [
            (self.per_remedy, "limit per remedy"),
            (self.case_left, "left within the limit for this case"),
            (self.day_left, "left in today's budget"),
            (self.month_left, "left in this month's budget"),
        ]
        return [
            f"{amount} {currency} is over the {limit} {currency} {what}."
            for limit, what in checks
            if limit is not None and amount > limit
        ]


def authority_for(user, case_id: int, cap: AuthorityCap | None, today: datetime.date) -> Authority:
    if cap is None:
        currency = settings.DEFAULT_CURRENCY
        return Authority(currency, ZERO, ZERO, ZERO, ZERO, has_cap=False)
    day, month = spent(user, cap.currency, today)
    return Authority(
        currency=cap.currency,
        per_remedy=cap.max_per_remedy,
        case_left=_left(cap.max_per_case, case_total(case_id, cap.currency)),
        day_left=_left(cap.budget_per_day, day),
        month_left=_left(cap.budget_per_month, month),
    )


def remaining_authority(user, case, kind: RemedyKind | None = None) -> Authority:
    """For the UI: what `user` may still give on `case` (for `kind`, or in general)."""
    return authority_for(user, case.pk, effective_cap(user, kind), budget_day(timezone.now()))
