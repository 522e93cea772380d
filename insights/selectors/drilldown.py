"""Every dashboard figure leads to its cases: (figure, value) -> a titled, filtered case list."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from cases.models import Case, Channel, Status, TriageStage
from cases.models.case import OPEN_STATUSES
from cases.selectors import LIST_RELATED

from ..models import Improvement, Retained, SurveyResponse
from . import metrics, pending
from .scope import Scope


class UnknownFigure(Exception):
    pass


@dataclass(frozen=True)
class Drilldown:
    title: str
    cases: QuerySet[Case]


def _label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        raise UnknownFigure(value) from None


def _int(value: str) -> int:
    if not str(value).isdigit():
        raise UnknownFigure(value)
    return int(value)


def drilldown(scope: Scope, figure: str, value: str = "") -> Drilldown:
    """Raises UnknownFigure for a figure or value that does not exist."""
    now, cohort = scope.cases().exclude(status=Status.CLOSED), scope.cohort()
    if figure == "status":
        title, qs = f"Not closed, status {_label(Status, value)}", now.filter(status=value)
    elif figure == "stage":
        title, qs = f"Not closed, triage at {_label(TriageStage, value)}", now.filter(triage_stage=value)
    elif figure == "load":
        qs = scope.cases().filter(status__in=OPEN_STATUSES)
        if value == "none":
            title, qs = "Waiting on us, unassigned", qs.filter(owner__isnull=True)
        else:
            title, qs = "Waiting on us, one owner's cases", qs.filter(owner_id=_int(value))
    elif figure == "opened":
        title, qs = "Opened in the period", cohort
    elif figure == "responded":
        title, qs = "Opened in the period and responded", cohort.filter(first_responded_at__isnull=False)
    elif figure == "resolved":
        title, qs = "Opened in the period and resolved", cohort.filter(resolved_at__isnull=False)
    elif figure == "resolved_in":
        title = "Resolved in the period"
        qs = scope.cases().filter(resolved_at__gte=scope.since, resolved_at__lt=scope.until)
    elif figure == "first_touch":
        title, qs = "Resolved by the first owner, never handed off", cohort.filter(metrics.FIRST_TOUCH)
    elif figure == "handed_off":
        title, qs = "Handed off at least once", cohort.filter(handoff_count__gt=0)
    elif figure == "retained":
        label = _label(Retained, value)
        latest = metrics._latest_follow_ups(scope).filter(retained=value, case=OuterRef("pk"))
        title, qs = f"Follow-up in the period: {label.lower()}", scope.cases().filter(Exists(latest))
    elif figure == "csat":
        answers = SurveyResponse.objects.filter(
            case=OuterRef("pk"), answered_at__gte=scope.since, answered_at__lt=scope.until
        )
        if value:
            answers = answers.filter(score=_int(value))
        title = f"Survey answered in the period{f', score {value}' if value else ''}"
        qs = scope.cases().filter(Exists(answers))
    elif figure == "root_cause":
        title, qs = "Opened in the period with this root cause", cohort.filter(why__root_cause_id=_int(value))
    elif figure == "repeat":
        title = "Cases of customers with two or more cases in the period"
        qs = cohort.filter(customer__in=metrics.repeat_customer_ids(scope))
    elif figure == "channel":
        title, qs = f"Opened in the period via {_label(Channel, value)}", cohort.filter(channel=value)
    elif figure == "improvement":
        improvement = Improvement.objects.filter(pk=_int(value)).first()
        if improvement is None:
            raise UnknownFigure(value)
        title, qs = (
            f"Linked to improvement “{improvement.title}”",
            scope.cases().filter(improvements=improvement),
        )
    else:
        condition = pending.pending_case_filter(figure)
        if condition is None:
            raise UnknownFigure(figure)
        base = cohort if figure == "remedies" else scope.cases()
        title, qs = PENDING_TITLES[figure], base.filter(condition)
    return Drilldown(title, qs.select_related(*LIST_RELATED).order_by("-opened_at", "-id"))


PENDING_TITLES = {
    "breaches_today": "A clock breached today",
    "at_risk": "A clock due within the hour",
    "approvals": "An approval is waiting",
    "remedies": "Opened in the period with a remedy",
}
