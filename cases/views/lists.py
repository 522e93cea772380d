"""Lists of cases: My cases, the team queue, search."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Team, User

from .. import selectors
from ..models import SavedView, Status, TriageStage
from .desk import BULK_ACTIONS

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def my_cases(request):
    qs, sort = selectors.sort_cases(selectors.my_cases(request.user), request.GET.get("sort", ""))
    return render(
        request,
        "cases/my_cases.html",
        {
            "page": _page(request, qs),
            "nav": "mine",
            "sort": sort,
            "sort_params": _params(request, "sort", "page"),
        },
    )


def _params(request, *drop: str) -> str:
    """The query string without `drop`: the sort links and pages keep the other filters."""
    kept = request.GET.copy()
    for name in drop:
        kept.pop(name, None)
    return kept.urlencode()


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
    qs, sort = selectors.sort_cases(qs, request.GET.get("sort", ""))
    teams = Team.objects.all() if request.user.sees_all_teams else request.user.teams.all()
    return render(
        request,
        "cases/queue.html",
        {
            "page": _page(request, qs),
            "sort": sort,
            "sort_params": _params(request, "sort", "page"),
            "here": _params(request, "page"),
            "saved_views": SavedView.objects.filter(user=request.user),
            "bulk": True,
            "bulk_actions": BULK_ACTIONS,
            "owners": User.objects.filter(is_active=True, teams__in=teams).distinct().order_by("first_name"),
            "nav": "queue",
            "teams": teams,
            "statuses": Status.choices,
            "stages": TriageStage.choices,
            "filters": {
                "status": status,
                "stage": stage,
                "team": team_id or "",
                "unassigned": unassigned,
                "sort": sort,
            },
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
