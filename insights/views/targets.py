"""The manager's targets for the dashboard alerts (first-touch resolution per team)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import Team
from cases.permissions import is_lead

from ..forms import TeamTargetForm
from ..models import FIRST_TOUCH_TARGET_DEFAULT, TeamTarget
from ..services.targets import team_target_set


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    if not is_lead(request.user):
        raise PermissionDenied("Targets are for team leads and managers.")
    teams = Team.objects.order_by("name")
    if not request.user.sees_all_teams:
        teams = teams.filter(pk__in=request.user.teams.values("pk"))
    bound = None
    if request.method == "POST":
        if not request.user.sees_all_teams:  # before the form: a lead's empty POST is a 403, not a 400
            raise PermissionDenied("Only a manager sets the teams' targets.")
        bound = TeamTargetForm(request.POST)
        if bound.is_valid():
            target = team_target_set(
                actor=request.user,
                team=bound.cleaned_data["team"],
                first_touch_percent=bound.cleaned_data["first_touch_percent"],
            )
            messages.success(
                request, f"{target.team}: first-touch target set to {target.first_touch_percent} %."
            )
            return redirect("insights:targets")
    current = {t.team_id: t for t in TeamTarget.objects.select_related("updated_by")}
    rows = []
    for team in teams:
        if bound is not None and str(bound.data.get("team")) == str(team.pk):
            form = bound  # the refused value stays with its error
        else:
            target = current.get(team.pk)
            value = target.first_touch_percent if target else FIRST_TOUCH_TARGET_DEFAULT
            form = TeamTargetForm(initial={"team": team.pk, "first_touch_percent": value}, prefix=None)
        rows.append({"team": team, "target": current.get(team.pk), "form": form})
    status = 400 if bound is not None and not bound.is_valid() else 200
    return render(
        request,
        "insights/targets.html",
        {
            "nav": "dashboard",
            "rows": rows,
            "can_edit": request.user.sees_all_teams,
            "default": FIRST_TOUCH_TARGET_DEFAULT,
        },
        status=status,
    )
