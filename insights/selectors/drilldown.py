"""Every dashboard figure leads to its cases: (figure, value) -> a titled, filtered case list."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from cases.models import Case, Channel, JourneyStage, Status, TriageStage, WhyAnswer
from cases.models.case import OPEN_STATUSES
from cases.models.triage import WHY_QUESTIONS, Origin, TriState
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
        title = "Resolved by the first owner, never handed off, no approval"
        qs = cohort.filter(metrics.first_touch_q())
        if value:  # "agent:<id>" or "team:<id>"
            by, _, pk = value.partition(":")
            if by not in {"agent", "team"}:
                raise UnknownFigure(value)
            qs = qs.filter(**{"created_by_id" if by == "agent" else "team_id": _int(pk)})
            title += ", by this person" if by == "agent" else ", in this team"
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
    elif figure in TRIAGE_FIGURES:
        title, qs = _triage_drilldown(cohort, figure, value)
    elif figure == "spend":
        title, qs = _spend_drilldown(cohort, value)
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


TRIAGE_FIGURES = {"origin", "why", "what_stage", "part"}


def _triage_drilldown(cohort, figure: str, value: str):
    if figure == "origin":
        if value == "":
            return "WHY answered, origin not said", cohort.filter(why__isnull=False, why__origin="")
        return f"WHY: the problem is {_label(Origin, value).lower()}", cohort.filter(why__origin=value)
    if figure == "why":
        name, _, answer = value.partition(":")
        if name not in WHY_QUESTIONS:
            raise UnknownFigure(value)
        question = WhyAnswer._meta.get_field(name).verbose_name
        if answer == "":
            return f"{question} Not answered", cohort.filter(why__isnull=False, **{f"why__{name}": ""})
        return f"{question} {_label(TriState, answer)}", cohort.filter(**{f"why__{name}": answer})
    if figure == "what_stage":
        label = _label(JourneyStage, value)
        return f"WHAT: dissatisfied at {label.lower()}", cohort.filter(what__journey_stage=value)
    return f"WHAT: the part affected is “{value}”", cohort.filter(what__part_affected__iexact=value)


SPEND_KEYS = {
    "agent": "given_by",
    "team": "case__team",
    "kind": "kind",
    "root_cause": "case__why__root_cause",
}


def _spend_drilldown(cohort, value: str):
    """Cases of the period with a remedy given by this agent / in this team / of this kind / cause."""
    Remedy = pending.model_or_none("remedies", "Remedy")
    by, _, pk = value.partition(":")
    if Remedy is None or by not in SPEND_KEYS:
        raise UnknownFigure(value)
    remedies = Remedy.objects.filter(case=OuterRef("pk"))
    if pk == "none":
        remedies = remedies.filter(**{f"{SPEND_KEYS[by]}__isnull": True})
    else:
        remedies = remedies.filter(**{SPEND_KEYS[by]: _int(pk)})
    return f"Opened in the period with a remedy ({by.replace('_', ' ')})", cohort.filter(Exists(remedies))
