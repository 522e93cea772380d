"""What the desk reads: a customer's whole story, and the context beside the intake form."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from cases.models import Case, Customer
from cases.models.case import OPEN_STATUSES
from cases.permissions import visible_cases
from insights.models import FollowUpOutcome, SurveyResponse
from messaging.models import CustomerMessage
from remedies.models import Remedy
from sla.clocks import case_targets
from sla.rules import ClockKind

YEAR = datetime.timedelta(days=365)


def customer_for(user, pk: int) -> Customer:
    """The customer when the user may see at least one of their cases (managers: any); else
    Customer.DoesNotExist, a 404 like a case of another team."""
    customer = Customer.objects.get(pk=pk)
    if not user.sees_all_teams and not visible_cases(user).filter(customer=customer).exists():
        raise Customer.DoesNotExist
    return customer


@dataclass
class RemedyLine:
    remedy: Remedy
    running_total: Decimal


@dataclass
class CustomerStory:
    customer: Customer
    cases: list[Case]
    remedies: list[RemedyLine]  # oldest first, with the running total in its currency
    totals: dict[str, Decimal]
    year_totals: dict[str, Decimal]
    messages: list[CustomerMessage]
    surveys: list[SurveyResponse]
    follow_ups: list[FollowUpOutcome]

    @property
    def open_cases(self) -> list[Case]:
        return [c for c in self.cases if c.status in OPEN_STATUSES]


def customer_story(user, customer: Customer, *, now: datetime.datetime | None = None) -> CustomerStory:
    """Everything we did for this customer on the cases this user may see, in a few queries."""
    now = now or timezone.now()
    cases = list(
        visible_cases(user)
        .filter(customer=customer)
        .select_related("product", "owner", "team")
        .order_by("-opened_at", "-id")[:200]
    )
    ids = [c.pk for c in cases]
    remedies = list(
        Remedy.objects.filter(case_id__in=ids)
        .select_related("kind", "case", "given_by")
        .order_by("given_at", "id")
    )
    running: dict[str, Decimal] = {}
    lines = []
    for remedy in remedies:
        running[remedy.currency] = running.get(remedy.currency, Decimal("0")) + remedy.amount
        lines.append(RemedyLine(remedy=remedy, running_total=running[remedy.currency]))
    year: dict[str, Decimal] = {}
    for remedy in remedies:
        if remedy.given_at >= now - YEAR:
            year[remedy.currency] = year.get(remedy.currency, Decimal("0")) + remedy.amount
    return CustomerStory(
        customer=customer,
        cases=cases,
        remedies=lines,
        totals=running,
        year_totals=year,
        messages=list(
            CustomerMessage.objects.filter(case_id__in=ids)
            .select_related("case", "notification", "sent_by")
            .order_by("-created_at", "-id")[:100]
        ),
        surveys=list(
            SurveyResponse.objects.filter(case_id__in=ids).select_related("case").order_by("-answered_at")
        ),
        follow_ups=list(
            FollowUpOutcome.objects.filter(case_id__in=ids)
            .select_related("case", "recorded_by")
            .order_by("-recorded_at")
        ),
    )


def first_response_minutes(*, severity: str, channel: str) -> int | None:
    """The first-response target a case of this severity and channel would get, in minutes."""
    target = case_targets(Case(severity=severity, channel=channel)).get(ClockKind.FIRST_RESPONSE)
    return target.minutes if target is not None else None


def in_words(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        said = f"{hours} hour{'s' if hours != 1 else ''}"
        return said + (f" {rest} min" if rest else "")
    return f"{hours // 24} days"


def customer_year_remedies(customer_id: int, *, now: datetime.datetime | None = None):
    """The remedies this customer received in the last 12 months, every team's, newest first,
    and their total per currency (the intake's warning before giving more)."""
    now = now or timezone.now()
    remedies = list(
        Remedy.objects.filter(case__customer_id=customer_id, given_at__gte=now - YEAR)
        .select_related("kind", "case")
        .order_by("-given_at", "-id")[:20]
    )
    totals: dict[str, Decimal] = {}
    for r in remedies:
        totals[r.currency] = totals.get(r.currency, Decimal("0")) + r.amount
    return remedies, totals or {settings.DEFAULT_CURRENCY: Decimal("0.00")}
