"""The customer at intake: what is already open for them, and what keeps going wrong nearby."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Case
from cases.models.case import OPEN_STATUSES
from cases.permissions import visible_cases

RECENT_DAYS = 30


def customer_open_cases(user, customer_id: int, limit: int = 10) -> QuerySet[Case]:
    """Open cases of the customer: a new complaint may be the same one again."""
    return (
        visible_cases(user)
        .filter(customer_id=customer_id, status__in=OPEN_STATUSES)
        .select_related("product", "owner")
        .order_by("-opened_at", "-id")[:limit]
    )


def similar_recent_cases(
    user, *, product_id: int, journey_stage: str, exclude_customer: int | None = None, limit: int = 10
) -> QuerySet[Case]:
    """Cases of the last 30 days with the same product and journey stage."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    qs = visible_cases(user).filter(product_id=product_id, journey_stage=journey_stage, opened_at__gte=since)
    if exclude_customer:
        qs = qs.exclude(customer_id=exclude_customer)
    return qs.select_related("customer", "owner").order_by("-opened_at", "-id")[:limit]
