"""The desk in the browser: the customer page, the intake's context, macros. Each POST calls one
service; every view checks who is asking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors as case_selectors
from cases.models import Case, Channel, Customer, Severity
from cases.models.case import OPEN_STATUSES
from cases.permissions import is_lead, visible_cases

from . import selectors
from .forms import MacroForm
from .macros import MacroRefused, macro_apply
from .models import Macro


@login_required
@require_GET
def customer_page(request, pk: int):
    try:
        customer = selectors.customer_for(request.user, pk)
    except Customer.DoesNotExist:
        raise Http404("No such customer.") from None
    story = selectors.customer_story(request.user, customer)
    return render(request, "desk/customer.html", {"story": story, "customer": customer, "nav": ""})


@login_required
@require_GET
def intake_context(request):
    """Beside the intake form while the agent types: the clock they are about to start, and what
    we already did for the chosen customer."""
    channel = request.GET.get("channel", "")
    severity = request.GET.get("severity", "") or Severity.MEDIUM
    minutes = None
    if channel in Channel.values and severity in Severity.values:
        minutes = selectors.first_response_minutes(severity=severity, channel=channel)
    customer, cases, remedies, totals = None, [], [], {}
    picked = request.GET.get("customer", "")
    if picked.isdigit():
        try:
            customer = selectors.customer_for(request.user, int(picked))
        except Customer.DoesNotExist:
            customer = None
    if customer is not None:
        # Their open cases are listed beside this (insights' customer 360): here, what came before.
        cases = list(
            visible_cases(request.user)
            .filter(customer=customer)
            .exclude(status__in=OPEN_STATUSES)
            .select_related("owner")
            .order_by("-opened_at")[:8]
        )
        remedies, totals = selectors.customer_year_remedies(customer.pk)
    context = {
        "minutes": minutes,
        "target": selectors.in_words(minutes),
        "channel": Channel(channel).label if channel in Channel.values else "",
        "customer": customer,
        "cases": cases,
        "remedies": remedies,
        "totals": totals,
    }
    return render(request, "desk/_intake_context.html", context)


def _leads_only(request) -> None:
    if not is_lead(request.user):
        raise PermissionDenied("Macros are defined by team leads, managers and admins.")


@login_required
@require_GET
def macro_list(request):
    _leads_only(request)
    macros = Macro.objects.select_related("message_template", "remedy_kind")
    return render(request, "desk/macros.html", {"macros": macros, "nav": ""})


@login_required
@require_http_methods(["GET", "POST"])
def macro_edit(request, pk: int | None = None):
    _leads_only(request)
    macro = get_object_or_404(Macro, pk=pk) if pk else None
    form = MacroForm(request.POST or None, instance=macro)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.created_by_id is None:
            saved.created_by = request.user
        saved.save()
        messages.success(request, f"Macro “{saved.name}” saved.")
        return redirect("desk:macros")
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/macro_form.html", {"form": form, "macro": macro, "nav": ""}, status=status)


@login_required
@require_POST
def macro_apply_view(request, reference: str, pk: int):
    try:
        case = case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None
    macro = get_object_or_404(Macro, pk=pk, active=True)
    try:
        result = macro_apply(case=case, actor=request.user, macro=macro)
    except MacroRefused as exc:
        messages.error(request, f"Nothing was done: {exc}")
        return redirect(f"/cases/{case.reference}/#macros")
    messages.success(request, result.sentence())
    return redirect(f"/cases/{case.reference}/#messages")
