"""The triage dashboard and its drill-down lists, for team leads and managers."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.permissions import is_lead

from ..csv import csv_lines
from ..forms import ScopeForm
from ..models import FIRST_TOUCH_TARGET_DEFAULT
from ..selectors import breakdowns, ledger, metrics, pending, repeat, rollup
from ..selectors.drilldown import UnknownFigure, drilldown

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000


def _leads_only(request) -> None:
    if not is_lead(request.user):
        raise PermissionDenied("Dashboards are for team leads and managers.")


def _scope_form(request) -> ScopeForm:
    params = {k: v for k, v in request.GET.items() if k not in {"figure", "value", "page"}}
    return ScopeForm(params or None, user=request.user)


def _hours(delta) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


def _charts(trend, pareto, csat) -> dict:
    """The numbers the charts draw; the same numbers are in the tables beside them."""
    return {
        "trend": {
            "labels": [row["bucket"].isoformat() for row in trend],
            "opened": [row["opened"] for row in trend],
            "resolved": [row["resolved"] for row in trend],
        },
        "pareto": {
            "labels": [row["label"] for row in pareto],
            "counts": [row["count"] for row in pareto],
            "cumulative": [row["cumulative"] for row in pareto],
        },
        "csat": {
            "labels": [r["label"] for r in csat["scores"]],
            "counts": [r["count"] for r in csat["scores"]],
        },
    }


@login_required
@require_GET
def dashboard(request):
    _leads_only(request)
    form = _scope_form(request)
    scope = form.scope()
    # Unsliced periods: counts, trend and breakdowns from the per-day rollup (and today live).
    fresh = rollup.freshness(scope)
    source = rollup if fresh.source == "rollup" else metrics
    figures = breakdowns.Rolled(scope) if fresh.source == "rollup" else breakdowns.Live(scope)
    first_response, resolution = figures.first_response_times(), figures.resolution_times()
    trend, pareto, csat = source.trend(scope), figures.root_cause_pareto(), figures.csat()
    by_status, by_stage = metrics.now_by_status_and_stage(scope)
    context = {
        "nav": "dashboard",
        "form": form,
        "scope": scope,
        "params": scope.params(),
        "generated_at": timezone.now(),
        "by_status": by_status,
        "by_stage": by_stage,
        "load": metrics.owner_load(scope),
        "counts": source.period_counts(scope),
        "freshness": fresh,
        "first_response": first_response,
        "resolution": resolution,
        "hours": {
            "first_response_median": _hours(first_response.median),
            "first_response_p90": _hours(first_response.p90),
            "resolution_median": _hours(resolution.median),
            "resolution_p90": _hours(resolution.p90),
        },
        "follow_ups": figures.follow_up_outcomes(),
        "csat": csat,
        "pareto": pareto,
        "repeat": repeat.repeat_customers(scope),
        "trend": trend,
        "sla": pending.sla_compliance(scope),
        "at_risk": pending.clocks_at_risk(scope),
        "breaches_today": pending.breaches_today(scope),
        "approvals": pending.approvals_waiting(scope),
        "spend": figures.remedy_spend(),
        "charts": _charts(trend, pareto, csat),
        **_ledger_and_triage(scope, figures),
    }
    return render(request, "insights/dashboard.html", context)


def _ledger_and_triage(scope, figures) -> dict:
    """Spend per agent, team, kind and root cause; first touch against the targets; the triage
    answers broken down."""
    teams = ledger.first_touch_per_team(scope)
    return {
        "ledger": [
            {"by": by, "title": title, "rows": figures.remedy_ledger(by)}
            for by, title in (
                ("agent", "agent"),
                ("team", "team"),
                ("kind", "remedy kind"),
                ("root_cause", "root cause"),
            )
        ],
        "first_touch_default": FIRST_TOUCH_TARGET_DEFAULT,
        "first_touch_agents": ledger.first_touch_per_agent(scope),
        "first_touch_teams": teams,
        "teams_below_target": [t for t in teams if t["below"]],
        "why": figures.why_breakdown(),
        "what": figures.what_breakdown(),
    }


def _drilldown(request):
    _leads_only(request)
    form = _scope_form(request)
    scope = form.scope()
    try:
        found = drilldown(scope, request.GET.get("figure", ""), request.GET.get("value", ""))
    except UnknownFigure:
        raise Http404("No such figure.") from None
    return form, scope, found


@login_required
@require_GET
def case_list(request):
    form, scope, found = _drilldown(request)
    page = Paginator(found.cases, PAGE_SIZE).get_page(request.GET.get("page"))
    figure = {"figure": request.GET.get("figure", ""), "value": request.GET.get("value", "")}
    return render(
        request,
        "insights/case_list.html",
        {
            "nav": "dashboard",
            "form": form,
            "scope": scope,
            "title": found.title,
            "page": page,
            "params": scope.params(**figure),
            "figure": figure,
        },
    )


CSV_HEADER = [
    "reference",
    "opened_at",
    "customer",
    "summary",
    "channel",
    "severity",
    "product",
    "journey_stage",
    "team",
    "owner",
    "status",
    "triage_stage",
    "first_responded_at",
    "resolved_at",
    "handoff_count",
    "reopen_count",
]


@login_required
@require_GET
def case_list_csv(request):
    _form, _scope, found = _drilldown(request)

    def rows():
        for case in found.cases[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield [
                case.reference,
                case.opened_at.isoformat(),
                case.customer.name,
                case.summary,
                case.channel,
                case.severity,
                case.product.name,
                case.journey_stage,
                case.team.name,
                case.owner or "",
                case.status,
                case.triage_stage,
                case.first_responded_at.isoformat() if case.first_responded_at else "",
                case.resolved_at.isoformat() if case.resolved_at else "",
                case.handoff_count,
                case.reopen_count,
            ]

    response = StreamingHttpResponse(csv_lines(CSV_HEADER, rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response
