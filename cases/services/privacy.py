"""A customer's right to see and to erase what we hold about them.

Erasure overwrites personal data everywhere it is stored (the case core here, every other concern
through the eraser it registers in `cases.privacy`), removes stored files, and keeps the figures:
dates, amounts, statuses, root causes and clock times, so dashboards and the learning loop survive.
It runs in one transaction, can be repeated harmlessly, and leaves a `CustomerErasure` record of
who erased what and when (counts, never the data).
"""

from collections import Counter
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone

from ..events import record_event
from ..models import (
    Case,
    CaseEvent,
    CorrectiveAction,
    Customer,
    CustomerErasure,
    DifferentAnswer,
    Handoff,
    WhatAnswer,
    WhyAnswer,
)
from ..privacy import ERASED, ErasureSubject, erasers, exporters, timeline_erasure_allowed

__all__ = ["ERASED", "customer_erase", "customer_export"]

ERASED_NAME = "Erased customer {pk}"

# Written by staff about the case: kept for the learning loop, with the customer's identifiers cut out.
STAFF_TEXT = {
    Case: ["first_response", "resolution", "follow_up_note"],
    WhatAnswer: ["complaint", "part_affected", "prior_attempts", "our_answer", "why_not_enough"],
    WhyAnswer: ["explanation", "staff_consulted"],
    DifferentAnswer: ["process_at_fault", "endemic", "next_time", "no_change_reason"],
    CorrectiveAction: ["description"],
    Handoff: ["reason"],
}


def _require_manager(actor) -> None:
    if actor is not None and not actor.sees_all_teams:
        raise PermissionDenied("Only managers and admins handle customer data requests.")


def _subject(customer: Customer) -> ErasureSubject:
    erased_name = ERASED_NAME.format(pk=customer.pk)
    return ErasureSubject.of(
        customer_id=customer.pk,
        case_ids=Case.objects.filter(customer=customer).order_by("id").values_list("id", flat=True),
        # Once erased, the placeholder name is no identifier: "customer" must not be cut from texts.
        name="" if customer.name == erased_name else customer.name,
        email=customer.email,
        phone=customer.phone,
    )


def customer_export(*, customer: Customer, actor) -> dict[str, Any]:
    """Everything held about the customer, as plain JSON-ready data: cases, mail, files, messages..."""
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
    subject = _subject(customer)
    data = {
        "exported_at": timezone.now().isoformat(),
        "customer": model_to_dict(customer),
        "external_ids": list(customer.external_ids.values("source", "external_id")),
        "cases": cases,
        "erasures": list(customer.erasures.values("erased_at", "counts")),
    }
    for name, exporter in sorted(exporters().items()):
        data[name] = exporter(subject)
    return data


def customer_erase(*, customer: Customer, actor, reason: str) -> CustomerErasure:
    """Overwrite the customer's personal data everywhere; returns the record of the erasure."""
    _require_manager(actor)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        cases = list(Case.objects.select_for_update().filter(customer=customer).order_by("id"))
        # Taken before the customer row is blanked: the erasers look for these words.
        subject = _subject(customer)
        reason = subject.scrub(reason.strip())  # "as Jane asked" must not keep Jane on record
        counts: Counter[str] = Counter()
        counts.update(_erase_core(customer=customer, cases=cases, subject=subject))
        for _name, eraser in sorted(erasers().items()):
            counts.update({kind: n for kind, n in eraser(subject).items() if n})
        counts = Counter({kind: n for kind, n in counts.items() if n})
        previous = customer.erasures.order_by("-erased_at", "-id").first()
        if not counts and previous is not None:
            return previous  # asked twice: nothing was left, so nothing new to record
        at = timezone.now()
        erasure = CustomerErasure.objects.create(
            customer=customer,
            erased_by=actor if actor is not None and actor.is_authenticated else None,
            erased_at=at,
            reason=reason,
            counts=dict(sorted(counts.items())),
        )
        for case in cases:
            record_event(
                case=case,
                kind="customer.erased",
                actor=actor,
                at=at,
                data={"erasure": erasure.pk, "reason": reason},
            )
    return erasure


def _erase_core(*, customer: Customer, cases: list[Case], subject: ErasureSubject) -> Counter:
    counts: Counter[str] = Counter()
    erased_name = ERASED_NAME.format(pk=customer.pk)
    if (customer.name, customer.email, customer.phone) != (erased_name, "", ""):
        customer.name, customer.email, customer.phone = erased_name, "", ""
        customer.save(update_fields=["name", "email", "phone", "updated_at"])
        counts["customer"] += 1
    counts["customer.external_ids"] += customer.external_ids.all().delete()[0]

    for case in cases:
        changed = []
        # The customer's own words go whole; what staff wrote stays, minus who the customer is.
        for field in ("summary", "description"):
            if getattr(case, field) not in ("", ERASED):
                setattr(case, field, ERASED)
                changed.append(field)
        if case.source_reference:
            case.source_reference = ""
            changed.append("source_reference")
        for field in STAFF_TEXT[Case]:
            scrubbed = subject.scrub(getattr(case, field))
            if scrubbed != getattr(case, field):
                setattr(case, field, scrubbed)
                changed.append(field)
        if changed:
            case.save(update_fields=[*changed, "updated_at"])
            counts["cases"] += 1

    case_filter = Q(case_id__in=subject.case_ids)
    for model, fields in STAFF_TEXT.items():
        if model is not Case:
            counts[f"cases.{model._meta.model_name}"] += _scrub_rows(model, case_filter, fields, subject)
    counts["timeline.events"] += _erase_timeline(subject)
    counts["admin.log_entries"] += _erase_admin_log(customer=customer, cases=cases)
    return counts


def _erase_admin_log(*, customer: Customer, cases: list[Case]) -> int:
    """The admin's history names each object as it was then ("Jane Doe", "R-000001 <summary>")."""
    changed = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk)
        )
        .exclude(object_repr=customer.name)
        .update(object_repr=customer.name)
    )
    case_type = ContentType.objects.get_for_model(Case)
    for case in cases:
        changed += (
            LogEntry.objects.filter(content_type=case_type, object_id=str(case.pk))
            .exclude(object_repr=str(case))
            .update(object_repr=str(case))
        )
    return changed


def _scrub_rows(model, where: Q, fields: list[str], subject: ErasureSubject) -> int:
    changed_rows = 0
    for row in model.objects.filter(where):
        changed = [f for f in fields if subject.scrub(getattr(row, f)) != getattr(row, f)]
        if changed:
            model.objects.filter(pk=row.pk).update(**{f: subject.scrub(getattr(row, f)) for f in changed})
            changed_rows += 1
    return changed_rows


def _erase_timeline(subject: ErasureSubject) -> int:
    """Rewrite event data in place: the one edit the timeline's trigger allows, and only here."""
    changed = 0
    with timeline_erasure_allowed():
        for event in CaseEvent.objects.filter(case_id__in=subject.case_ids).only("id", "data"):
            redacted = subject.redact(event.data)
            if redacted != event.data:
                # QuerySet.update, not save(): the model refuses rewrites everywhere else.
                CaseEvent.objects.filter(pk=event.pk).update(data=redacted)
                changed += 1
    return changed
