"""Improvements: the list, one improvement with its cases and effect, promoting an action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import CorrectiveAction
from cases.permissions import can_view_case, is_lead

from .. import services
from ..forms import ImprovementStatusForm, PromoteForm
from ..models import Improvement
from ..selectors.improvements import improvement_cases, improvement_effect, improvement_list


def _leads_only(request) -> None:
    if not is_lead(request.user):
        raise PermissionDenied("Improvements are for team leads and managers.")


@login_required
@require_GET
def improvements(request):
    _leads_only(request)
    return render(
        request,
        "insights/improvements.html",
        {"nav": "improvements", "improvements": improvement_list(request.user)},
    )


@login_required
@require_GET
def improvement_detail(request, pk: int):
    _leads_only(request)
    improvement = get_object_or_404(improvement_list(request.user), pk=pk)
    effect = improvement_effect(request.user, improvement)
    chart = None
    if effect is not None:
        chart = {
            "labels": [w["label"] for w in effect.weeks],
            "before": [None if w["after"] else w["count"] for w in effect.weeks],
            "after": [w["count"] if w["after"] else None for w in effect.weeks],
        }
    cases = Paginator(improvement_cases(request.user, improvement), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/improvement_detail.html",
        {
            "nav": "improvements",
            "improvement": improvement,
            "effect": effect,
            "chart": chart,
            "page": cases,
            "status_form": ImprovementStatusForm(initial={"status": improvement.status}),
        },
    )


@login_required
@require_POST
def improvement_status(request, pk: int):
    _leads_only(request)
    improvement = get_object_or_404(Improvement, pk=pk)
    form = ImprovementStatusForm(request.POST)
    if form.is_valid():
        services.improvement_set_status(
            improvement=improvement, actor=request.user, status=form.cleaned_data["status"]
        )
        messages.success(request, "Status updated.")
    else:
        messages.error(request, "Choose a valid status.")
    return redirect("insights:improvement", pk=improvement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def promote(request, action_id: int):
    _leads_only(request)
    action = (
        CorrectiveAction.objects.select_related("case__why__root_cause", "owner").filter(pk=action_id).first()
    )
    if action is None or not can_view_case(request.user, action.case):
        raise Http404("No such corrective action.")
    initial = {
        "title": action.description[:200],
        "owner": action.owner_id,
        "due_date": action.due_date,
        "product": action.case.product_id,
    }
    form = PromoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            improvement = services.improvement_promote(action=action, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, f"Improvement created, linking {improvement.cases.count()} cases.")
            return redirect("insights:improvement", pk=improvement.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "insights/promote.html",
        {"form": form, "action": action, "nav": "improvements"},
        status=status,
    )
