"""The weekly digest as a page, and its schedule."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases.permissions import is_lead

from ..forms import DigestScheduleForm
from ..models import DigestSchedule
from ..selectors.digest import weekly_digest
from ..services.digest import digest_schedule_set


@login_required
@require_http_methods(["GET", "POST"])
def digest(request):
    if not is_lead(request.user):
        raise PermissionDenied("The weekly digest is for team leads and managers.")
    schedule = DigestSchedule.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = DigestScheduleForm(request.POST)
        if form.is_valid():
            digest_schedule_set(actor=request.user, **form.cleaned_data)
            messages.success(request, "Digest schedule saved.")
            return redirect("insights:digest")
    else:
        initial = {"weekday": 0, "hour": 8, "active": True}
        if schedule is not None:
            initial = {"weekday": schedule.weekday, "hour": schedule.hour, "active": schedule.active}
        form = DigestScheduleForm(initial=initial)
    context = {"nav": "dashboard", "digest": weekly_digest(request.user), "form": form, "schedule": schedule}
    return render(request, "insights/digest.html", context, status=400 if form.errors else 200)
