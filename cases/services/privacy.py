"""A customer's right to see and to erase what we hold about them.

Erasure anonymises personal fields and keeps the cases, so statistics and the learning loop
survive; the erasure itself goes on each case's timeline.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from ..events import record_event
from ..models import Case, Customer

ERASED = "[erased]"


def _require_manager(actor) -> None:
    if actor is not None and not actor.sees_all_teams:
        raise PermissionDenied("Only managers and admins handle customer data requests.")


def customer_export(*, customer: Customer, actor) -> dict[str, Any]:
    """Everything held about the customer, as plain JSON-ready data."""
    _require_manager(actor)
    cases = []
    for case in Case.objects.filter(customer=customer).select_related("product", "team").order_by("id"):
        cases.append(
            {
                **model_to_dict(case, exclude=["customer", "owner", "created_by"]),
                "reference": case.reference,
                "product": case.product.name,
                "team": case.team.name,
                "timeline": [
                    {"at": e.created_at.isoformat(), "kind": e.kind, "data": e.data}
                    for e in case.events.order_by("created_at", "id")
                ],
            }
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "customer": model_to_dict(customer),
        "external_ids": list(customer.external_ids.values("source", "external_id")),
        "cases": cases,
    }


def customer_erase(*, customer: Customer, actor, reason: str) -> Customer:
    _require_manager(actor)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        customer.name = f"Erased customer {customer.pk}"
        customer.email = ""
        customer.phone = ""
        customer.save(update_fields=["name", "email", "phone", "updated_at"])
        customer.external_ids.all().delete()
        for case in Case.objects.select_for_update().filter(customer=customer):
            # Their own words may identify them; what we did and why stays for the statistics.
            case.description = ERASED
            case.source_reference = ""
            case.save(update_fields=["description", "source_reference", "updated_at"])
            record_event(case=case, kind="customer.erased", actor=actor, data={"reason": reason.strip()})
    return customer
