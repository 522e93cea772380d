"""Presentation helpers for insights pages, and the follow-up panel on the case page."""

import datetime

from django import template

from cases.permissions import is_lead
from cases.selectors import can
from cases.workflow import Work

from ..forms import FollowUpForm, SurveySendForm

register = template.Library()


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """A span as a person reads it: '45 min', '3 h 05 min', '2 d 4 h'."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:g} %"


@register.inclusion_tag("insights/_case_panel.html", takes_context=True)
def case_follow_up_panel(context, case):
    """Follow-up outcomes, survey answers and improvements of one case, with their actions."""
    user = context["user"]
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "can_record_outcome": can(case, Work.RECORD_OUTCOME, user=user),
        "can_send_survey": can(case, Work.SEND_SURVEY, user=user),
        "outcomes": case.follow_up_outcomes.select_related("recorded_by"),
        "responses": case.survey_responses.all(),
        "improvements": case.improvements.all(),
        "actions": case.corrective_actions.exclude(status="cancelled"),
        "leads": is_lead(user),
        # Ids of its own: the remedy form on the same page has a "note" too.
        "follow_up_form": FollowUpForm(auto_id="follow-up-%s"),
        "survey_form": SurveySendForm(),
    }
