"""Lists of cases: My cases, the team queue, search."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Team

from .. import selectors
from ..models import Status, TriageStage

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def my_cases(request):
    page = _page(request, selectors.my_cases(request.user))
    return render(request, "cases/my_cases.html", {"page": page, "nav": "mine"})


@login_required
@require_GET
def queue(request):
    status = request.GET.get("status", "open")
    stage = request.GET.get("stage", "")
    team_id = request.GET.get("team") or None
    unassigned = request.GET.get("unassigned") == "1"
    qs = selectors.team_queue(
        request.user,
        status=status if status in {"open", "all", *Status.values} else "open",
        stage=stage if stage in TriageStage.values else "",
        team_id=int(team_id) if team_id and team_id.isdigit() else None,
        unassigned=unassigned,
    )
    teams = Team.objects.all() if request.user.sees_all_teams else request.user.teams.all()
    return render(
        request,
        "cases/queue.html",
        {
            "page": _page(request, qs),
            "nav": "queue",
            "teams": teams,
            "statuses": Status.choices,
            "stages": TriageStage.choices,
            "filters": {"status": status, "stage": stage, "team": team_id or "", "unassigned": unassigned},
        },
    )


@login_required
@require_GET
def search(request):
    query = request.GET.get("q", "")[:200]
    results = selectors.search_cases(request.user, query)
    return render(request, "cases/search.html", {"query": query, "results": results, "nav": "search"})


@login_required
@require_GET
def customer_lookup(request):
    customers = selectors.customer_lookup(request.GET.get("q", "")[:200])
    return render(request, "cases/_customer_matches.html", {"customers": customers})
