"""Read-side queries: a case's remedies and measures, a customer's history, pending approvals."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.permissions import visible_cases

from .models import MONEY, ApprovalRequest, ApprovalStatus, Remedy

MONEY_FIELD = {k: v for k, v in MONEY.items() if k != "validators"}


def case_remedies(case: Case) -> QuerySet[Remedy]:
    return case.remedies.select_related("kind", "given_by", "approval__decided_by").order_by("given_at", "id")


def case_approvals(case: Case) -> tuple[list[ApprovalRequest], list[ApprovalRequest]]:
    """Pending first (soonest due), then the decided ones, newest first."""
    pending = case.approval_requests.filter(status=ApprovalStatus.PENDING)
    decided = case.approval_requests.exclude(status=ApprovalStatus.PENDING)
    related = ("kind", "requested_by", "decided_by", "assigned_to")
    return (
        list(pending.select_related(*related).order_by("due_at", "id")),
        list(decided.select_related(*related).order_by("-decided_at", "-id")[:10]),
    )


def totals_by_currency(remedies) -> list[tuple[str, Decimal]]:
    totals: dict[str, Decimal] = {}
    for remedy in remedies:
        totals[remedy.currency] = totals.get(remedy.currency, Decimal("0.00")) + remedy.amount
    return sorted(totals.items())


@dataclass(frozen=True)
class CaseMeasures:
    """What every case records for the dashboards."""

    remedy_totals: list[tuple[str, Decimal]]
    plus_one: bool
    handoffs: int
    handoff_reasons: list[str]
    approvals: int
    first_touch: bool | None  # None while the case is not resolved yet
    time_to_first_response: datetime.timedelta | None
    time_to_resolution: datetime.timedelta | None


def case_measures(case: Case, remedies: list[Remedy] | None = None) -> CaseMeasures:
    remedies = list(case_remedies(case)) if remedies is None else remedies
    approvals = case.approval_requests.count()
    reasons = list(case.handoffs.order_by("created_at", "id").values_list("reason", flat=True))
    first_touch = None
    if case.resolved_at is not None:
        resolver = (
            case.events.filter(kind="case.transitioned", data__action="resolve")
            .order_by("-created_at", "-id")
            .values_list("actor_id", flat=True)
            .first()
        )
        # Resolved by the one and only owner, with nobody else asked: the front line fixed it.
        first_touch = case.handoff_count == 0 and approvals == 0 and resolver == case.owner_id
    return CaseMeasures(
        remedy_totals=totals_by_currency(remedies),
        plus_one=any(r.plus_one for r in remedies),
        handoffs=case.handoff_count,
        handoff_reasons=reasons,
        approvals=approvals,
        first_touch=first_touch,
        time_to_first_response=case.first_responded_at - case.opened_at if case.first_responded_at else None,
        time_to_resolution=case.resolved_at - case.opened_at if case.resolved_at else None,
    )


def customer_remedies(case: Case, *, now: datetime.datetime | None = None) -> list[Remedy]:
    """What this customer received in the last 12 months, across all their cases, newest first.

    Every case counts, whichever team it belongs to: the point is to see the whole picture
    before giving more.
    """
    since = (now or timezone.now()) - datetime.timedelta(days=365)
    return list(
        Remedy.objects.filter(case__customer_id=case.customer_id, given_at__gte=since)
        .select_related("kind", "case")
        .order_by("-given_at", "-id")[:50]
    )


def pending_approvals(user) -> QuerySet[ApprovalRequest]:
    """Pending approvals on the cases this user may see; soonest due first."""
    return (
        ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING, case__in=visible_cases(user))
        .select_related("case__customer", "case__team", "kind", "requested_by", "assigned_to")
        .order_by("due_at", "id")
    )


def with_measures(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Cases annotated with their measures in one query, for lists and dashboards.

    `remedy_total` is in DEFAULT_CURRENCY (other currencies are not converted);
    `first_touch` is null while a case is unresolved.
    """
    remedies = Remedy.objects.filter(case=OuterRef("pk"))
    resolver = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind="case.transitioned", data__action="resolve")
        .order_by("-created_at", "-id")
        .values("actor_id")[:1]
    )
    total = (
        remedies.filter(currency=settings.DEFAULT_CURRENCY)
        .order_by()
        .values("case")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        remedy_total=Coalesce(
            Subquery(total), Value(Decimal("0.00")), output_field=DecimalField(**MONEY_FIELD)
        ),
        plus_one=Exists(remedies.filter(plus_one=True)),
        asked_approval=Exists(ApprovalRequest.objects.filter(case=OuterRef("pk"))),
        resolved_by=Subquery(resolver),
    ).annotate(
        first_touch=CaseWhen(
            When(resolved_at__isnull=True, then=Value(None)),
            When(
                Q(handoff_count=0, asked_approval=False, resolved_by=F("owner_id")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(null=True),
        ),
        time_to_first_response=ExpressionWrapper(
            F("first_responded_at") - F("opened_at"), output_field=DurationField()
        ),
        time_to_resolution=ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField()),
    )
