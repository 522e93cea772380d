"""Giving remedies and deciding approvals in the browser. Each POST calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases import selectors as case_selectors
from cases.models import Case
from cases.permissions import is_lead, visible_cases
from cases.views.case_page import _render_case

from . import selectors, services
from .forms import DecisionForm, RemedyForm
from .models import ApprovalRequest


def _get_case(request, reference: str) -> Case:
    try:
        return case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _render_case_with(request, case: Case, **panel):
    # The case page belongs to cases; the remedies panel reads its bound forms and errors from
    # the request, so a mistake is shown in place with everything typed still there.
    request.remedies_panel = panel
    return _render_case(request, case, status=400)


@login_required
@require_POST
def remedy_give(request, reference: str):
    case = _get_case(request, reference)
    form = RemedyForm(request.POST)
    if not form.is_valid():
        return _render_case_with(request, case, remedy_form=form)
    try:
        result = services.remedy_give(case=case, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _render_case_with(request, case, remedy_form=form)
    if result.remedy is not None:
        remedy = result.remedy
        messages.success(request, f"Given: {remedy.kind} {remedy.amount} {remedy.currency}.")
    else:
        approval = result.approval
        who = approval.assigned_to or "a manager"
        due = timezone.localtime(approval.due_at).strftime("%H:%M")
        messages.success(
            request,
            f"Over your authority, so it went to {who} for approval (due {due}): {approval.reason}",
        )
    return redirect(f"/cases/{case.reference}/#remedies")


@login_required
@require_POST
def approval_decide(request, approval_id: int):
    approval = (
        ApprovalRequest.objects.select_related("case", "kind")
        .filter(pk=approval_id, case__in=visible_cases(request.user))
        .first()
    )
    if approval is None:
        raise Http404("No such approval request.")
    form = DecisionForm(request.POST, auto_id=f"a{approval.pk}-%s")
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            services.approval_decide(
                approval=approval, actor=request.user, approve=approve, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else [str(exc)])
        else:
            verb = "Approved" if approve else "Denied"
            messages.success(request, f"{verb}: {approval.kind} {approval.amount} {approval.currency}.")
            return _back(request, approval)
    forms = {approval.pk: form}
    if request.POST.get("from") == "approvals":
        return _render_approvals(request, forms, status=400)
    return _render_case_with(request, _get_case(request, approval.case.reference), decision_forms=forms)


def _back(request, approval: ApprovalRequest):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(f"/cases/{approval.case.reference}/#remedies")


def _render_approvals(request, forms=None, status=200):
    pending = list(selectors.pending_approvals(request.user))
    for approval in pending:
        approval.decision_form = (forms or {}).get(approval.pk) or DecisionForm(auto_id=f"a{approval.pk}-%s")
    return render(request, "remedies/approvals.html", {"pending": pending, "nav": "approvals"}, status=status)


@login_required
def approvals(request):
    if not is_lead(request.user):
        raise PermissionDenied("Approvals are for team leads and managers.")
    return _render_approvals(request)
