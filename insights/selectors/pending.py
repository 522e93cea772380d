"""Figures that rest on the SLA and remedies apps.

Each returns None while its app (or the model it reads) is not there, and the dashboard shows
"not available yet" instead of a number: a missing figure is better than a made-up one.
"""

import datetime

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from .scope import Scope

AT_RISK_WINDOW = datetime.timedelta(hours=1)


def model_or_none(app_label: str, model_name: str):
    if not apps.is_installed(app_label):
        return None
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _clocks(scope: Scope):
    Clock = model_or_none("sla", "Clock")
    return None if Clock is None else Clock.objects.filter(scope.q("case__"))


def sla_compliance(scope: Scope) -> list[dict] | None:
    """Per clock kind, of the cohort's clocks that finished: the share met before the deadline."""
    clocks = _clocks(scope)
    if clocks is None:
        return None
    rows = (
        clocks.filter(case__opened_at__gte=scope.since, case__opened_at__lt=scope.until)
        .values("kind")
        .annotate(
            # Finished in time, finished late, or already past due: each has its verdict.
            finished=Count("pk", filter=Q(state__in=["met", "stopped"]) | Q(breached_at__isnull=False)),
            met=Count("pk", filter=Q(state="met")),
        )
        .order_by("kind")
    )
    from sla.rules import ClockKind

    labels = dict(ClockKind.choices)
    return [
        {
            **r,
            "label": labels.get(r["kind"], r["kind"]),
            "rate": round(100 * r["met"] / r["finished"], 1) if r["finished"] else None,
        }
        for r in rows
    ]


def clocks_at_risk(scope: Scope) -> int | None:
    """Running clocks due within the next hour."""
    clocks = _clocks(scope)
    if clocks is None:
        return None
    now = timezone.now()
    return clocks.filter(state="running", due_at__gte=now, due_at__lt=now + AT_RISK_WINDOW).count()


def _today() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))


def breaches_today(scope: Scope) -> int | None:
    clocks = _clocks(scope)
    if clocks is None:
        return None
    return clocks.filter(breached_at__gte=_today()).count()


def approvals_waiting(scope: Scope) -> int | None:
    Approval = model_or_none("remedies", "ApprovalRequest")
    if Approval is None:
        return None
    return Approval.objects.filter(scope.q("case__"), status="pending").count()


def remedy_spend(scope: Scope) -> list[dict] | None:
    """Remedies on the cohort's cases, per currency (amounts are never added across currencies)."""
    Remedy = model_or_none("remedies", "Remedy")
    if Remedy is None:
        return None
    rows = (
        Remedy.objects.filter(
            scope.q("case__"), case__opened_at__gte=scope.since, case__opened_at__lt=scope.until
        )
        .values("currency")
        .annotate(
            total=Sum("amount"),
            remedies=Count("pk"),
            plus_one=Count("pk", filter=Q(plus_one=True)),
            cases=Count("case", distinct=True),
        )
        .order_by("currency")
    )
    return [spend_row(**r) for r in rows]


def spend_row(*, currency: str, total, remedies: int, plus_one: int, cases: int) -> dict:
    """One currency's line of the spend: live (above) or summed from the rollup."""
    return {
        "currency": currency,
        "total": total,
        "remedies": remedies,
        "plus_one": plus_one,
        "cases": cases,
        "per_case": (total / cases).quantize(total) if cases else None,
        "plus_one_share": round(100 * plus_one / remedies, 1) if remedies else None,
    }


def pending_case_filter(figure: str):
    """The Exists() that selects a pending figure's cases, or None when it is not available."""
    now = timezone.now()
    if figure in {"breaches_today", "at_risk"}:
        Clock = model_or_none("sla", "Clock")
        if Clock is None:
            return None
        clocks = Clock.objects.filter(case=OuterRef("pk"))
        if figure == "breaches_today":
            return Exists(clocks.filter(breached_at__gte=_today()))
        return Exists(clocks.filter(state="running", due_at__gte=now, due_at__lt=now + AT_RISK_WINDOW))
    if figure == "approvals":
        Approval = model_or_none("remedies", "ApprovalRequest")
        return (
            None
            if Approval is None
            else Exists(Approval.objects.filter(case=OuterRef("pk"), status="pending"))
        )
    if figure == "remedies":
        Remedy = model_or_none("remedies", "Remedy")
        return None if Remedy is None else Exists(Remedy.objects.filter(case=OuterRef("pk")))
    return None
