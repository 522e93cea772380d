"""Follow-up and survey actions on one case, and the customer view at intake."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors as case_selectors
from cases.models import Case, JourneyStage
from cases.permissions import visible_cases
from cases.services import CaseChanged
from cases.views.stale import UnreadableVersion, expected_version, refusal_status

from .. import services
from ..forms import FollowUpForm, SurveySendForm
from ..selectors.customers import customer_open_cases, similar_recent_cases


def _case(request, reference: str) -> Case:
    try:
        return case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _messages_of(exc: Exception) -> list[str]:
    return list(exc.messages) if isinstance(exc, ValidationError) else [str(exc)]


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, reference: str):
    case = _case(request, reference)
    form = FollowUpForm(request.POST or None)
    problems = []
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(
                case=case, actor=request.user, **form.cleaned_data, expected_version=expected_version(request)
            )
        except (ValidationError, PermissionDenied, CaseChanged, UnreadableVersion) as exc:
            problems = _messages_of(exc)
            status = refusal_status(exc, otherwise=400)
            if isinstance(exc, CaseChanged):
                case = _case(request, reference)  # what it is now; the form carries this version
        else:
            messages.success(request, "Follow-up recorded.")
            return redirect(reverse("cases:detail", args=[case.reference]))
    return render(
        request, "insights/follow_up.html", {"case": case, "form": form, "problems": problems}, status=status
    )


@login_required
@require_POST
def survey_send(request, reference: str):
    case = _case(request, reference)
    form = SurveySendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how to send the survey.")
        return redirect(reverse("cases:detail", args=[case.reference]))
    try:
        _invitation, token = services.survey_send(case=case, actor=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(_messages_of(exc)))
    else:
        link = request.build_absolute_uri(reverse("survey", args=[token]))
        # Shown once: only its hash is stored, so it cannot be looked up again.
        messages.success(request, f"Survey link (valid {services.SURVEY_DAYS} days, usable once): {link}")
    return redirect(reverse("cases:detail", args=[case.reference]))


@login_required
@require_GET
def customer_360(request):
    """Partial for the New case page: the picked customer's open cases and similar recent ones."""
    customer_id = request.GET.get("customer", "")
    product_id = request.GET.get("product", "")
    stage = request.GET.get("journey_stage", "")
    open_cases = (
        customer_open_cases(request.user, int(customer_id)) if customer_id.isdigit() else Case.objects.none()
    )
    similar = (
        similar_recent_cases(request.user, product_id=int(product_id), journey_stage=stage)
        if product_id.isdigit() and stage in JourneyStage.values
        else Case.objects.none()
    )
    earlier = (
        visible_cases(request.user).filter(customer_id=int(customer_id)).count()
        if customer_id.isdigit()
        else 0
    )
    return render(
        request,
        "insights/_customer_360.html",
        {"open_cases": open_cases, "similar": similar, "earlier": earlier, "customer_id": customer_id},
    )
