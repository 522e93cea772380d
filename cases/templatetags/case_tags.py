"""Presentation helpers for case pages: track steps and readable timeline sentences."""

from django import template
from django.utils.html import format_html

from ..models import Status, TriageStage
from ..timeline import words_for
from ..workflow import TRIAGE_ORDER

register = template.Library()

CUSTOMER_STEPS = [
    (Status.NEW, "Complaint logged"),
    (Status.RESPONDED, "Apology and owner given"),
    (Status.RESOLVED, "Fixed for the customer"),
    (Status.FOLLOWED_UP, "Followed up"),
    (Status.CLOSED, "Closed"),
]
STATUS_RANK = {
    Status.NEW: 0,
    Status.RESPONDED: 1,
    Status.WAITING_ON_CUSTOMER: 1,
    Status.RESOLVED: 2,
    Status.FOLLOWED_UP: 3,
    Status.CLOSED: 4,
}

ACTION_WORDS = {
    "respond": "gave the first response",
    "wait_on_customer": "set the case to wait on the customer",
    "customer_replied": "recorded the customer's reply",
    "resolve": "resolved it for the customer",
    "follow_up": "recorded the follow-up",
    "close": "closed the case",
    "reopen": "reopened the case",
    "complete_what": "completed WHAT happened",
    "complete_why": "completed WHY",
    "complete_different": "completed WHAT DIFFERENT",
}
KIND_WORDS = {
    "case.opened": "opened the case",
    "case.closed": "— case closed",
    "case.assigned": "assigned the case",
    "case.handed_off": "handed the case off",
    "case.note.added": "added a note",
    "case.updated": "changed the case's details",
    "case.triage.what_recorded": "recorded WHAT answers",
    "case.triage.why_recorded": "recorded WHY answers",
    "case.triage.different_recorded": "recorded WHAT DIFFERENT answers",
    "case.corrective_action.added": "added a corrective action",
    "case.corrective_action.updated": "updated a corrective action",
    "customer.erased": "erased the customer's personal data",
    "remedy.given": "gave a remedy",
    "approval.requested": "asked for an approval",
    "approval.decided": "decided an approval",
    "approval.escalated": "— approval not decided in time: it went to the managers",
    "case.customer_message": "received an e-mail from the customer",
    "case.attachments.received": "received the e-mail's attachments",
    "case.follow_up.recorded": "recorded the follow-up outcome",
    "case.survey.sent": "sent a satisfaction survey",
    "case.message.sent": "sent the customer a message",
    "case.survey.answered": "— the customer answered the survey",
    "case.recovery_follow_up": "— recovery follow-up opened: the customer is still unhappy",
    "case.improvement.created": "promoted a corrective action to an improvement",
    "case.improvement.updated": "updated an improvement",
}


@register.filter
def customer_steps(case):
    rank = STATUS_RANK[Status(case.status)]
    return [(step, label, STATUS_RANK[step] <= rank) for step, label in CUSTOMER_STEPS]


@register.filter
def triage_steps(case):
    current = TRIAGE_ORDER.index(TriageStage(case.triage_stage))
    steps = []
    for i, stage in enumerate(TRIAGE_ORDER[:3]):
        state = "done" if i < current else "current" if i == current else "todo"
        steps.append((stage.value, stage.label, state))
    return steps


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return str(value)


@register.filter
def event_sentence(event) -> str:
    data = event.data or {}
    if words := words_for(event.kind):
        return words[0](event)
    if event.kind == "case.transitioned":
        words = ACTION_WORDS.get(data.get("action"), data.get("action", "moved the case"))
        choices = Status if data.get("track") == "status" else TriageStage
        return f"{words}: {_label(choices, data.get('from'))} → {_label(choices, data.get('to'))}"
    words = KIND_WORDS.get(event.kind, event.kind)
    if "amount" in data and "kind_name" in data:
        # Remedies and approvals carry their cost: the timeline shows what was spent.
        decision = f" ({data['decision']})" if data.get("decision") else ""
        plus_one = " +1" if data.get("plus_one") else ""
        return f"{words}{decision}: {data['kind_name']} {data['amount']} {data.get('currency', '')}{plus_one}"
    return words


@register.filter
def event_detail(event) -> str:
    data = event.data or {}
    if words := words_for(event.kind):
        return words[1](event)
    for key in ("message", "resolution", "reason", "note", "text", "description", "comment"):
        if data.get(key):
            return data[key]
    if "changes" in data:
        return "Changed: " + ", ".join(name.replace("_", " ") for name in data["changes"])
    return ""


@register.simple_tag
def case_version(case):
    """The case's version as this page shows it: a form carrying it is refused once the case
    has changed since, instead of silently undoing what someone else did."""
    return format_html('<input type="hidden" name="expected_version" value="{}">', case.version)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def field_value(form, name):
    return form[name].value() or "" if form.is_bound else ""


@register.filter
def answer_rows(form):
    """(question, readable answer) pairs of an answer form's saved instance."""
    instance = form.instance
    rows = []
    for field in form:
        value = getattr(instance, field.name, None)
        if value in (None, "", False):
            continue
        display = getattr(instance, f"get_{field.name}_display", None)
        rows.append((field.label, display() if display else value))
    return rows
