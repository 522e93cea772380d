"""The only writers of remedies and approvals. Views, admin actions and the API call these.

Lock order, always: the case row, then the giver's budget row. Two remedies on one case
queue on the case; two remedies by one person on different cases queue on the budget.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cases.events import record_event
from cases.models import Case
from cases.permissions import require_lead, require_work
from cases.selectors import row_facts
from cases.workflow import Work, work_problems
from messaging.approvals import approval_decided_notice, approval_requested_notice

from .authority import ZERO, authority_for, budget_day, effective_cap
from .models import ApprovalRequest, ApprovalStatus, Budget, Remedy, RemedyKind

CENT = Decimal("0.01")
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True)
class GiveResult:
    """Either a remedy given at once, or an approval request with the caps it passes."""

    remedy: Remedy | None = None
    approval: ApprovalRequest | None = None
    reasons: list[str] = field(default_factory=list)


def clean_money(*, amount, currency: str) -> tuple[Decimal, str]:
    """A non-negative amount with at most two decimals, and a currency we accept."""
    errors = {}
    if isinstance(amount, float):
        # A float has already lost the cents (0.1 + 0.2 != 0.3): refuse it rather than round it.
        raise ValidationError({"amount": "Give the amount as a Decimal or a string, never a float."})
    try:
        text = str(amount).strip()
        # "1e3" or "Infinity" are numbers to Decimal, but no one writes money that way.
        if not isinstance(amount, Decimal) and not PLAIN_DECIMAL.fullmatch(text):
            raise InvalidOperation
        value = amount if isinstance(amount, Decimal) else Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["amount"] = "Give the amount as a number, e.g. 12.50."
        value = None
    if value is not None:
        if value < 0:
            errors["amount"] = "The amount cannot be negative."
        elif value != value.quantize(CENT):
            errors["amount"] = "Use at most two decimal places."
        elif value >= Decimal("1e10"):
            errors["amount"] = "That amount is too large."
    code = (currency or "").strip().upper()
    if code not in settings.REMEDY_CURRENCIES:
        errors["currency"] = (
            f"Unknown currency {currency!r}: use one of {', '.join(settings.REMEDY_CURRENCIES)}."
        )
    if errors:
        raise ValidationError(errors)
    return value.quantize(CENT), code


def customer_total(*, customer_id: int, currency: str, now: datetime.datetime) -> Decimal:
    """What this customer received across all their cases in the last 12 months."""
    total = Remedy.objects.filter(
        case__customer_id=customer_id,
        currency=currency,
        given_at__gte=now - datetime.timedelta(days=365),
    ).aggregate(t=Sum("amount"))["t"]
    return (total or ZERO).quantize(ZERO)


def customer_warning(*, case: Case, amount: Decimal, currency: str, now: datetime.datetime) -> str:
    """The warning to confirm before this remedy takes the customer past the configured total.

    Only amounts in the warning's currency are compared: without exchange rates any other
    comparison would be made up.
    """
    limit = settings.CUSTOMER_REMEDY_WARNING
    if amount <= 0 or currency != settings.DEFAULT_CURRENCY:
        return ""
    before = customer_total(customer_id=case.customer_id, currency=currency, now=now)
    if before + amount <= limit:
        return ""
    return (
        f"{case.customer.name} has received {before} {currency} in the last 12 months; this would take "
        f"them to {before + amount} {currency}, past {limit} {currency}. Confirm to go ahead."
    )


def _require_person(actor) -> None:
    # Authority belongs to a person: the system has no cap to spend from, nor to decide with.
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Remedies are given and decided by a person, not by the system.")
    # An integration's own user is no person either: a token acts on behalf of one (`via`).
    if getattr(actor, "api_token", None) is not None:
        raise PermissionDenied("Remedies are given and decided by a person, not by an integration.")


def _lock_budget(user, currency: str, day: datetime.date) -> Budget:
    # get_or_create retries the read after a unique violation, so two first gives of the day
    # end up locking the same row instead of failing.
    budget, _ = Budget.objects.select_for_update().get_or_create(user=user, day=day, currency=currency)
    return budget


def _money_data(*, kind: RemedyKind, amount: Decimal, currency: str, note: str, plus_one: bool) -> dict:
    return {
        "kind": kind.code,
        "kind_name": kind.name,
        "amount": str(amount),
        "currency": currency,
        "plus_one": plus_one,
        "note": note,
    }


def remedy_give(
    *,
    case: Case,
    actor,
    kind: RemedyKind,
    amount: Decimal | str,
    currency: str,
    note: str = "",
    plus_one: bool = False,
    confirmed_customer_total: bool = False,
    via: dict | None = None,
) -> GiveResult:
    """Give a remedy at once when it is within the actor's authority, else ask for approval.

    Never a dead end: over any cap the result carries a pending `ApprovalRequest` routed to
    the team lead (or to managers) and the reasons it needed one. `via` names the integration
    the person acted through; the timeline keeps it beside the person.
    """
    via = via or {}
    _require_person(actor)
    amount, currency = clean_money(amount=amount, currency=currency)
    note = note.strip()
    if not kind.active:
        raise ValidationError({"kind": f"{kind.name} is no longer offered."})
    if not kind.costs_money and amount != 0:
        raise ValidationError({"amount": f"{kind.name} costs nothing: leave the amount at 0."})
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("customer", "team").get(pk=case.pk)
        require_work(actor, case)
        if problems := work_problems(Work.GIVE_REMEDY, row_facts(case)):
            raise ValidationError(problems)
        now = timezone.now()
        warning = customer_warning(case=case, amount=amount, currency=currency, now=now)
        if warning and not confirmed_customer_total:
            raise ValidationError({"confirmed_customer_total": warning})
        cap = effective_cap(actor, kind)
        budget = None
        if amount > 0 and cap is not None and cap.currency == currency:
            budget = _lock_budget(actor, currency, budget_day(now))
        authority = authority_for(actor, case.pk, cap, budget_day(now))
        reasons = authority.problems(amount, currency)
        money = _money_data(kind=kind, amount=amount, currency=currency, note=note, plus_one=plus_one)
        if reasons:
            approval = _request_approval(
                case=case, actor=actor, kind=kind, amount=amount, currency=currency, note=note,
                plus_one=plus_one, reasons=reasons, now=now,
            )  # fmt: skip
            record_event(
                case=case,
                kind="approval.requested",
                actor=actor,
                at=now,
                data={
                    **money,
                    "approval": approval.pk,
                    "reason": approval.reason,
                    "assigned_to": approval.assigned_to_id,
                    "due_at": approval.due_at,
                    **via,
                },
                notice=approval_requested_notice(approval=approval),
            )
            return GiveResult(approval=approval, reasons=reasons)
        if budget is not None:
            budget.spent += amount
            budget.save(update_fields=["spent"])
        remedy = Remedy.objects.create(
            case=case, kind=kind, amount=amount, currency=currency, note=note, plus_one=plus_one,
            given_by=actor, given_at=now,
        )  # fmt: skip
        record_event(
            case=case,
            kind="remedy.given",
            actor=actor,
            at=now,
            data={**money, "remedy": remedy.pk, "within_authority": True, **via},
        )
    return GiveResult(remedy=remedy)


def _approver_for(case: Case, actor, kind: RemedyKind, amount: Decimal, currency: str):
    """The team lead, when there is one who is not the asker and whose own cap covers it."""
    lead = case.team.lead
    if lead is None or lead.pk == actor.pk or not lead.is_active:
        return None
    cap = effective_cap(lead, kind)
    if cap is None or cap.currency != currency:
        return None
    if cap.max_per_remedy is not None and amount > cap.max_per_remedy:
        return None
    return lead


def _request_approval(
    *, case, actor, kind, amount, currency, note, plus_one, reasons, now
) -> ApprovalRequest:
    return ApprovalRequest.objects.create(
        case=case,
        requested_by=actor,
        kind=kind,
        amount=amount,
        currency=currency,
        note=note,
        plus_one=plus_one,
        reason=" ".join(reasons),
        assigned_to=_approver_for(case, actor, kind, amount, currency),
        requested_at=now,
        due_at=now + datetime.timedelta(minutes=settings.APPROVAL_MINUTES),
        next_escalation_at=now + datetime.timedelta(minutes=settings.APPROVAL_MINUTES),
    )


def _require_decider_authority(actor, approval: ApprovalRequest) -> None:
    """A lead may only approve what their own per-remedy cap covers; above it, a manager decides."""
    if actor.sees_all_teams:
        return
    cap = effective_cap(actor, approval.kind)
    limit = cap.max_per_remedy if cap is not None and cap.currency == approval.currency else ZERO
    if limit is not None and approval.amount > limit:
        raise ValidationError(
            f"{approval.amount} {approval.currency} is over your own limit of {limit} "
            f"{approval.currency} per remedy: a manager must decide."
        )


def approval_decide(
    *, approval: ApprovalRequest, actor, approve: bool, reason: str, via: dict | None = None
) -> ApprovalRequest:
    """Approve (the remedy is given) or deny, with a reason. Only once, whoever is first.

    `via` names the integration the decider acted through.
    """
    _require_person(actor)
    via = via or {}
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for the decision: the agent and the case see it."})
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=approval.case_id)
        require_work(actor, case)
        require_lead(actor, "Deciding approvals")
        approval = ApprovalRequest.objects.select_related("kind", "requested_by").get(pk=approval.pk)
        if approval.requested_by_id == actor.pk:
            raise PermissionDenied("You cannot decide your own request: someone else must.")
        if approve:
            _require_decider_authority(actor, approval)
        now = timezone.now()
        status = ApprovalStatus.APPROVED if approve else ApprovalStatus.DENIED
        # Compare-and-set: of two people deciding at once, exactly one changes the row.
        won = ApprovalRequest.objects.filter(pk=approval.pk, status=ApprovalStatus.PENDING).update(
            status=status, decided_by=actor, decided_at=now, decision_reason=reason
        )
        if not won:
            approval.refresh_from_db()
            raise ValidationError(
                f"This request was already {approval.get_status_display().lower()} by "
                f"{approval.decided_by or 'someone else'}."
            )
        approval.refresh_from_db()
        money = _money_data(
            kind=approval.kind,
            amount=approval.amount,
            currency=approval.currency,
            note=approval.note,
            plus_one=approval.plus_one,
        )
        record_event(
            case=case,
            kind="approval.decided",
            actor=actor,
            at=now,
            data={
                **money,
                "approval": approval.pk,
                "decision": status.value,
                "reason": reason,
                "requested_by": approval.requested_by_id,
                **via,
            },
            notice=approval_decided_notice(approval=approval),
        )
        if approve:
            # The remedy is the asker's, given on the decider's authority: it does not use
            # the asker's own budget.
            remedy = Remedy.objects.create(
                case=case,
                kind=approval.kind,
                amount=approval.amount,
                currency=approval.currency,
                note=approval.note,
                plus_one=approval.plus_one,
                given_by=approval.requested_by,
                given_at=now,
                approval=approval,
            )
            record_event(
                case=case,
                kind="remedy.given",
                actor=approval.requested_by,
                at=now,
                data={
                    **money,
                    "remedy": remedy.pk,
                    "within_authority": False,
                    "approved_by": actor.pk,
                    **via,
                },  # fmt: skip
            )
    return approval
