"""Read-side queries: queues, search, a case's page. Writes live in services/."""

import re

from django.db.models import Case as Case_
from django.db.models import F, Q, QuerySet, Value, When
from django.db.models.signals import post_delete, post_save

from . import config
from .models import Case, CaseEvent, Customer, Product
from .models.case import OPEN_STATUSES
from .permissions import is_lead, visible_cases
from .workflow import Action, Facts, Work, allows, work_allowed

LIST_RELATED = ("customer", "team", "owner", "product")

# How queues are ordered: the SLA app registers "soonest deadline first" in its ready(); without
# it, the longest-waiting customer comes first.
_queue_order: list = []


def register_queue_order(order) -> None:
    _queue_order[:] = [order]


def by_urgency(qs: QuerySet[Case]) -> QuerySet[Case]:
    return _queue_order[0](qs) if _queue_order else qs.order_by("opened_at", "id")


SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
# Column -> what it sorts by; `due` is the soonest running clock (the SLA annotates it).
SORTS = {
    "case": ("id",),
    "customer": ("customer__name", "id"),
    "summary": ("summary", "id"),
    "severity": ("severity_rank", "id"),
    "status": ("status", "id"),
    "triage": ("triage_stage", "id"),
    "owner": ("owner__first_name", "owner__last_name", "id"),
    "opened": ("opened_at", "id"),
    "due": ("next_due", "id"),
}


def sort_cases(qs: QuerySet[Case], sort: str) -> tuple[QuerySet[Case], str]:
    """Order by a column (`-column` descending); an unknown column keeps the urgency order."""
    column = sort.removeprefix("-")
    if column not in SORTS or (column == "due" and "next_due" not in qs.query.annotations):
        return qs, ""
    if column == "severity":
        qs = qs.annotate(
            severity_rank=Case_(*[When(severity=k, then=Value(v)) for k, v in SEVERITY_RANK.items()])
        )
    desc = sort.startswith("-")
    fields = [F(f).desc(nulls_last=True) if desc else F(f).asc(nulls_last=True) for f in SORTS[column]]
    return qs.order_by(*fields), sort


def my_cases(user) -> QuerySet[Case]:
    """The user's own open cases, soonest deadline first, then the longest-waiting customer."""
    return by_urgency(
        visible_cases(user).filter(owner=user, status__in=OPEN_STATUSES).select_related(*LIST_RELATED)
    )


def team_queue(
    user, *, status: str = "", stage: str = "", team_id: int | None = None, unassigned: bool = False
) -> QuerySet[Case]:
    qs = visible_cases(user).select_related(*LIST_RELATED)
    if status == "open" or not status:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(triage_stage=stage)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if unassigned:
        qs = qs.filter(owner__isnull=True)
    return by_urgency(qs)


REFERENCE = re.compile(r"^\s*R-?0*(\d+)\s*$", re.IGNORECASE)


def search_cases(user, query: str) -> QuerySet[Case]:
    """By reference (R-000123, r123), customer name, e-mail or phone, summary or source reference."""
    query = query.strip()
    qs = visible_cases(user).select_related(*LIST_RELATED)
    if not query:
        return qs.none()
    match = REFERENCE.match(query)
    if match:
        return qs.filter(pk=int(match.group(1)))
    return qs.filter(
        Q(customer__name__icontains=query)
        | Q(customer__email__iexact=query)
        | Q(customer__phone__icontains=query)
        | Q(summary__icontains=query)
        | Q(source_reference__iexact=query)
    ).order_by("-opened_at", "-id")[:100]


def customer_lookup(query: str, limit: int = 8) -> list[Customer]:
    query = query.strip()
    if len(query) < 2:
        return []
    return list(
        Customer.objects.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
        ).order_by("name", "id")[:limit]
    )


def row_facts(case: Case) -> Facts:
    """What the workflow needs to say which moves are on offer, from the row itself: no query.
    (A move's guards need its answers too: `services.case_facts` reads them.)"""
    return Facts(status=case.status, triage_stage=case.triage_stage)


def can(case: Case, what: Action | Work, *, user=None) -> bool:
    """Whether the workflow lets `user` (None: the system) do `what` on `case` now; cheap
    enough to ask per row of a list. The answers a move needs are checked when it is sent."""
    facts = row_facts(case)
    if isinstance(what, Work):
        return work_allowed(what, facts)
    return allows(what, facts, leads=is_lead(user))


def case_for_page(user, reference: str) -> Case:
    """Raises Case.DoesNotExist when the case is missing or belongs to another team: both 404."""
    return (
        visible_cases(user)
        .select_related(*LIST_RELATED, "created_by", "what", "why__root_cause__parent", "different")
        .get(reference=reference)
    )


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("-created_at", "-id")


def customer_history(user, case: Case) -> QuerySet[Case]:
    """The customer's other cases that this user may see, newest first."""
    return (
        visible_cases(user)
        .filter(customer_id=case.customer_id)
        .exclude(pk=case.pk)
        .select_related("product")
        .order_by("-opened_at")[:10]
    )


PRODUCTS = "products"


def active_products() -> dict:
    """Active products by id, read once per process and dropped when a product changes."""
    return config.cached(PRODUCTS, lambda: {p.pk: p for p in Product.objects.filter(active=True)})


def _products_changed(**kwargs) -> None:
    config.changed(PRODUCTS)


def register() -> None:
    post_save.connect(_products_changed, sender=Product, dispatch_uid="products-save")
    post_delete.connect(_products_changed, sender=Product, dispatch_uid="products-delete")
