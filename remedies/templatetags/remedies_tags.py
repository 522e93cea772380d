"""The remedies panel on the case page, and small formatting helpers."""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone

from cases.permissions import is_lead
from cases.selectors import can
from cases.workflow import Work

from .. import selectors
from ..authority import remaining_authority
from ..forms import DecisionForm, RemedyForm

register = template.Library()


@register.inclusion_tag("remedies/_panel.html", takes_context=True)
def remedies_panel(context):
    request = context["request"]
    case = context["case"]
    user = request.user
    # Set by the remedies views when a POST failed: bound forms with their errors.
    bound = getattr(request, "remedies_panel", {})
    remedies = list(selectors.case_remedies(case))
    pending, decided = selectors.case_approvals(case)
    decision_forms = bound.get("decision_forms", {})
    for approval in pending:
        approval.decision_form = decision_forms.get(approval.pk) or DecisionForm(auto_id=f"a{approval.pk}-%s")
    history = selectors.customer_remedies(case)
    remedy_form = bound.get("remedy_form") or RemedyForm()
    return {
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "user": user,
        "leads": is_lead(user),
        "can_give_remedy": can(case, Work.GIVE_REMEDY, user=user),
        "authority": remaining_authority(user, case),
        "remedy_form": remedy_form,
        "show_confirm": "confirmed_customer_total" in remedy_form.errors,
        "remedies": remedies,
        "pending": pending,
        "decided": decided,
        "measures": selectors.case_measures(case, remedies),
        "history": [r for r in history if r.case_id != case.pk],
        "history_totals": selectors.totals_by_currency(history),
        "warning_limit": settings.CUSTOMER_REMEDY_WARNING,
        "currency": settings.DEFAULT_CURRENCY,
        "now": timezone.now(),
    }


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """A short, readable span: '45 s', '12 min', '3 h 5 min', '2 d 4 h'."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes} min"
    if hours < 24:
        return f"{hours} h {minutes % 60} min" if minutes % 60 else f"{hours} h"
    return f"{days} d {hours % 24} h" if hours % 24 else f"{days} d"


@register.filter
def limit(value) -> str:
    return "no limit" if value is None else str(value)
