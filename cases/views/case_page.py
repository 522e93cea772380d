"""The case page and every action taken on it. Each POST calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.formtokens import release

from .. import selectors, services
from ..models import Case, CorrectiveAction, Customer
from ..permissions import is_lead
from ..services import CaseChanged
from ..workflow import RULES, Action, TransitionError, available_actions, problems_with, triage_state
from .forms import (
    AssignForm,
    CorrectiveActionForm,
    DifferentForm,
    IntakeForm,
    NoteForm,
    TransitionForm,
    WhatForm,
    WhyForm,
)
from .stale import UnreadableVersion, expected_version, refusal_status


def _get_case(request, reference: str) -> Case:
    try:
        return selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _render_case(
    request,
    case: Case,
    *,
    status: int = 200,
    errors: dict | None = None,
    sent_action: Action | None = None,
    **forms,
):
    if request.method == "POST":
        release(request)  # a POST that renders the page showed its errors: nothing was done
    facts = services.case_facts(case)
    leads = is_lead(request.user)
    offered = available_actions(facts, leads=leads)
    # The first response is the first public reply, sent from the reply composer: one path.
    customer_actions = [
        (a, RULES[a], False) for a in offered if RULES[a].track == "status" and a != Action.RESPOND
    ]
    if sent_action is not None and sent_action not in offered and RULES[sent_action].track == "status":
        # The move sent from a stale page is no longer on offer: its form stays, read-only, so
        # what was typed can be copied; it cannot be sent again.
        customer_actions.append((sent_action, RULES[sent_action], True))
    context = {
        "case": case,
        "leads": leads,
        "customer_actions": customer_actions,
        "triage": triage_state(facts, leads=leads),
        "what_form": forms.get("what_form")
        or WhatForm(instance=getattr(case, "what", None), initial={"journey_stage": case.journey_stage}),
        "why_form": forms.get("why_form") or WhyForm(instance=getattr(case, "why", None)),
        "different_form": forms.get("different_form")
        or DifferentForm(instance=getattr(case, "different", None)),
        "action_form": forms.get("action_form") or CorrectiveActionForm(),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "assign_form": forms.get("assign_form") or AssignForm(case=case),
        "note_form": forms.get("note_form") or NoteForm(),
        "corrective_actions": case.corrective_actions.select_related("owner"),
        "timeline": selectors.case_timeline(case),
        "history": selectors.customer_history(request.user, case),
        "errors": errors or {},
        "nav": "",
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _back(case: Case, anchor: str = ""):
    return redirect(f"/cases/{case.reference}/" + (f"#{anchor}" if anchor else ""))


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, TransitionError):
        return exc.problems
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


REFUSED = (TransitionError, ValidationError, PermissionDenied, CaseChanged, UnreadableVersion)


def _refused(request, case: Case, exc: Exception, key: str, *, sent_action: Action | None = None, **forms):
    """The page with the refusal by the form that was sent, and what was typed still in it.

    After a stale write the case is read again: the user sees what the other person changed,
    and the form, now carrying the new version, can be sent again once they have looked.
    """
    problems = _problems(exc)
    if isinstance(exc, CaseChanged):
        case = _get_case(request, case.reference)
        facts, leads = selectors.row_facts(case), is_lead(request.user)
        if sent_action is not None and sent_action not in available_actions(facts, leads=leads):
            problems += problems_with(sent_action, facts, {}, leads=leads)  # the table's words
    return _render_case(
        request,
        case,
        status=refusal_status(exc, otherwise=200),
        errors={key: problems},
        sent_action=sent_action,
        **forms,
    )


def _intake_customer(form: IntakeForm) -> tuple[Customer | None, list[Customer]]:
    """The case's customer, or the known customers the typed e-mail or phone matches, for the
    agent to choose between: a match is never taken silently, nor what was typed dropped."""
    data = form.cleaned_data
    if data["customer"]:
        return data["customer"], []
    email, phone = data["customer_email"] or "", data["customer_phone"] or ""
    matches = services.customer_matches(email=email, phone=phone)
    choice = data["match"]
    if choice == "new" or not matches:
        return services.customer_create(name=data["customer_name"], email=email, phone=phone), []
    chosen = next((c for c in matches if str(c.pk) == choice), None)
    return chosen, ([] if chosen else matches)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    form = IntakeForm(request.POST or None, user=request.user)
    matches: list[Customer] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                customer, matches = _intake_customer(form)
                case = None
                if customer is not None:
                    case = services.case_open(
                        actor=request.user,
                        customer=customer,
                        channel=data["channel"],
                        summary=data["summary"],
                        description=data["description"],
                        product=data["product"],
                        journey_stage=data["journey_stage"],
                        severity=data["severity"],
                        team=data["team"],
                        source_reference=data["source_reference"],
                        apologise=data["apologise"],
                        macro=data["macro"],
                    )
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, errs in problems.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            if case is not None:
                said = " The apology is on its way." if data["apologise"] else ""
                messages.success(request, f"Case {case.reference} opened. The clock is running.{said}")
                return _back(case)
    status = 200
    if request.method == "POST":
        release(request)
        status = 409 if matches else 400  # a choice to make is not a mistake, but nothing was saved
    picked = form["customer"].value()
    customer = Customer.objects.filter(pk=picked).first() if str(picked or "").isdigit() else None
    context = {"form": form, "nav": "new", "picked": customer, "matches": matches}
    return render(request, "cases/case_new.html", context, status=status)


@login_required
def case_detail(request, reference: str):
    return _render_case(request, _get_case(request, reference))


@login_required
@require_POST
def case_transition(request, reference: str, action: str):
    case = _get_case(request, reference)
    try:
        action = Action(action)
    except ValueError:
        raise Http404("No such action.") from None
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_case(
            request, case, transition_form=form, errors={action.value: ["Please check the form."]}
        )
    try:
        services.case_transition(
            case=case,
            action=action,
            actor=request.user,
            data=form.cleaned_data,
            expected_version=expected_version(request),
        )
    except REFUSED as exc:
        return _refused(request, case, exc, action.value, sent_action=action, transition_form=form)
    messages.success(request, f"{RULES[action].label}: done.")
    return _back(case)


ANSWER_FORMS = {
    "what": (WhatForm, services.triage_record_what, Action.COMPLETE_WHAT),
    "why": (WhyForm, services.triage_record_why, Action.COMPLETE_WHY),
    "different": (DifferentForm, services.triage_record_different, Action.COMPLETE_DIFFERENT),
}


@login_required
@require_POST
def case_triage(request, reference: str, stage: str):
    """Save a stage's answers; with 'complete', also move the case to the next stage."""
    case = _get_case(request, reference)
    if stage not in ANSWER_FORMS:
        raise Http404("No such stage.")
    form_class, record, complete = ANSWER_FORMS[stage]
    form = form_class(request.POST, instance=getattr(case, stage, None))
    form_key = f"{stage}_form"
    if not form.is_valid():
        return _render_case(
            request, case, errors={stage: ["Please check the answers below."]}, **{form_key: form}
        )
    try:
        record(
            case=case,
            actor=request.user,
            answers=form.cleaned_data,
            expected_version=expected_version(request),
        )
        if "complete" in request.POST:
            # The save has just checked the page's version (and bumped it when anything
            # changed); the move's guards read the answers as they are now saved.
            services.case_transition(case=case, action=complete, actor=request.user)
    except REFUSED as exc:
        # Answers saved before a refused move show as saved: read the case again.
        return _refused(request, _get_case(request, reference), exc, stage, **{form_key: form})
    messages.success(request, "Answers saved." if "complete" not in request.POST else "Stage completed.")
    return _back(case, f"triage-{stage}")


@login_required
@require_POST
def corrective_action_add(request, reference: str):
    case = _get_case(request, reference)
    form = CorrectiveActionForm(request.POST)
    if form.is_valid():
        try:
            services.corrective_action_add(case=case, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            return _render_case(
                request, case, action_form=form, errors={"corrective_actions": _problems(exc)}
            )
        messages.success(request, "Corrective action added.")
        return _back(case, "triage-different")
    return _render_case(
        request, case, action_form=form, errors={"corrective_actions": ["Please check the action."]}
    )


@login_required
@require_POST
def corrective_action_status(request, reference: str, action_id: int):
    case = _get_case(request, reference)
    action = CorrectiveAction.objects.filter(case=case, pk=action_id).first()
    if action is None:
        raise Http404("No such action.")
    try:
        services.corrective_action_set_status(
            action=action, actor=request.user, status=request.POST.get("status", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        return _render_case(request, case, errors={"corrective_actions": _problems(exc)})
    return _back(case, "triage-different")


@login_required
@require_POST
def case_assign(request, reference: str):
    case = _get_case(request, reference)
    form = AssignForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_assign(
                case=case, actor=request.user, **form.cleaned_data, expected_version=expected_version(request)
            )
        except REFUSED as exc:
            if isinstance(exc, CaseChanged):  # offer the owners there are now, keep the choice and reason
                form = AssignForm(request.POST, case=exc.case)
            return _refused(request, case, exc, "assign", assign_form=form)
        messages.success(request, f"Case now owned by {form.cleaned_data['to_owner']}.")
        return _back(case)
    return _render_case(request, case, assign_form=form, errors={"assign": ["Please check the hand-off."]})


@login_required
@require_POST
def case_note(request, reference: str):
    case = _get_case(request, reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_add_note(
                case=case,
                actor=request.user,
                text=form.cleaned_data["text"],
                expected_version=expected_version(request),
            )
        except REFUSED as exc:
            return _refused(request, case, exc, "note", note_form=form)
        return _back(case, "timeline")
    return _render_case(request, case, note_form=form)
