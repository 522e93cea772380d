"""The customer's survey page: no login, one question and a comment, works on a phone."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import SurveyAnswerForm
from ..services import outreach


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    try:
        invitation = services.survey_find(token)
    except services.SurveyError as exc:
        return render(request, "insights/survey_closed.html", {"reason": str(exc)}, status=410)
    if request.method == "POST" and "opt_out" in request.POST:
        outreach.survey_opt_out(token=token)
        reason = "We will not send you any more surveys. Thank you for telling us."
        return render(request, "insights/survey_closed.html", {"reason": reason})
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(token=token, **form.cleaned_data)
        except services.SurveyError as exc:
            return render(request, "insights/survey_closed.html", {"reason": str(exc)}, status=410)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "insights/survey_thanks.html", {"score": form.cleaned_data["score"]})
    status = 400 if request.method == "POST" else 200
    return render(
        request, "insights/survey.html", {"form": form, "first_name": _first_name(invitation)}, status=status
    )


def _first_name(invitation) -> str:
    """Only the first name: whoever holds the link should learn as little as possible."""
    parts = invitation.case.customer.name.split()
    return parts[0] if parts else ""
