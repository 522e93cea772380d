"""Clocks on the case page, the at-risk view, notifications, and policy and calendar editing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from simple_history.utils import bulk_create_with_history

from accounts.formtokens import release, replay_with
from cases import selectors as case_selectors
from cases.models import Case
from cases.permissions import is_lead

from . import selectors, services
from .forms import CalendarForm, CustomerUpdateForm, NewPolicyForm, PolicyForm, PromiseForm, TargetForm
from .models import BusinessCalendar, EscalationStep, Notification, Policy
from .notify import notification_retry, notifications_mark_read


def _case(request, reference: str) -> Case:
    try:
        return case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _back(case: Case):
    return redirect(f"/cases/{case.reference}/#sla-clocks")


def _section(request, case, *, status=200, **forms):
    return render(request, "sla/_clocks_section.html", {"case": case, **forms}, status=status)


def _problems(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@login_required
@require_GET
def case_clocks(request, reference: str):
    return render(request, "sla/_clock_list.html", {"case": _case(request, reference)})


def _section_again(request, reference: str):
    return _section(request, _case(request, reference))


@replay_with(_section_again)
@login_required
@require_POST
def promise_make(request, reference: str):
    case = _case(request, reference)
    form = PromiseForm(request.POST)
    if form.is_valid():
        try:
            services.promise_make(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in _problems(exc).items():
                form.add_error(field if field in form.fields else None, errors)
    if form.errors:
        # htmx only swaps 2xx answers; without htmx the page itself says what is wrong (400).
        if request.htmx:
            release(request)
            return _section(request, case, promise_form=form)
        return render(request, "sla/promise_page.html", {"case": case, "promise_form": form}, status=400)
    if request.htmx:
        return _section(request, case)
    messages.success(request, "Promise saved: everyone who opens the case sees it.")
    return _back(case)


@replay_with(_section_again)
@login_required
@require_POST
def promise_keep(request, reference: str):
    case = _case(request, reference)
    try:
        services.promise_keep(case=case, actor=request.user)
    except ValidationError as exc:
        release(request)
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _section(request, case)
    return _back(case)


@replay_with(_section_again)
@login_required
@require_POST
def customer_updated(request, reference: str):
    case = _case(request, reference)
    form = CustomerUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.customer_update_record(case=case, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    if form.errors:
        release(request)
    if request.htmx:
        return _section(request, case, update_form=form if form.errors else None)
    if form.errors:
        return render(request, "sla/promise_page.html", {"case": case, "update_form": form}, status=400)
    messages.success(request, "Update recorded: the update clock starts again.")
    return _back(case)


def _require_lead(user) -> None:
    if not is_lead(user):
        raise PermissionDenied("The at-risk view is for team leads and managers.")


@login_required
@require_GET
def at_risk(request):
    _require_lead(request.user)
    now = timezone.now()
    return render(
        request,
        "sla/at_risk.html",
        {
            "nav": "at_risk",
            "now": now,
            "at_risk": selectors.clocks_at_risk(request.user, now=now)[:200],
            "breaches": selectors.breaches_today(request.user, now=now)[:200],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("sla:notifications")
    groups = selectors.inbox_by_case(request.user)
    return render(request, "sla/notifications.html", {"nav": "bell", "groups": groups})


@require_GET
def bell(request):
    """The bell alone, polled by the top bar so its count follows without a reload."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)  # signed out: leave the bell as it is, no login page in it
    return render(request, "sla/_bell_link.html", {"nav": request.GET.get("nav", "")})


def _require_manager(user) -> None:
    if not user.sees_all_teams:
        raise PermissionDenied("For managers.")


@login_required
@require_GET
def deliveries(request):
    _require_manager(request.user)
    return render(
        request,
        "sla/deliveries.html",
        {
            "nav": "deliveries",
            "failed": selectors.failed_deliveries(),
            "pending": selectors.pending_deliveries(),
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk: int):
    _require_manager(request.user)
    notification = get_object_or_404(Notification, pk=pk)
    notification_retry(notification=notification, actor=request.user)
    messages.success(request, "Queued for another delivery attempt.")
    return redirect("sla:deliveries")


@login_required
@require_GET
def policies(request):
    _require_manager(request.user)
    return render(
        request,
        "sla/policies.html",
        {
            "nav": "policies",
            "policies": Policy.objects.prefetch_related("targets__steps"),
            "calendars": BusinessCalendar.objects.prefetch_related("teams__team"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_new(request):
    _require_manager(request.user)
    form = NewPolicyForm(
        request.POST or None, initial={"copy_from": Policy.objects.filter(is_default=True).first()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in _problems(exc).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Policy '{policy.name}' created: adjust its targets below.")
            return redirect("sla:policy_edit", pk=policy.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "sla/policy_new.html", {"nav": "policies", "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk: int):
    _require_manager(request.user)
    policy = get_object_or_404(Policy, pk=pk)
    targets = list(policy.targets.prefetch_related("steps"))
    data = request.POST if request.method == "POST" else None
    form = PolicyForm(data, instance=policy)
    target_forms = [(t, TargetForm.for_target(t, data)) for t in targets]
    if data is not None and form.is_valid() and all(f.is_valid() for _, f in target_forms):
        try:
            with transaction.atomic():
                for target, tf in target_forms:
                    target.minutes = tf.cleaned_data["minutes"]
                    target.business_hours = tf.cleaned_data["business_hours"]
                    target.warnings = tf.cleaned_data["warnings"]
                    target.save()
                    target.steps.all().delete()
                    bulk_create_with_history(
                        [
                            EscalationStep(target=target, level=lv, base=base, offset_minutes=off, action=act)
                            for lv, base, off, act in tf.cleaned_data["steps"]
                        ],
                        EscalationStep,
                    )
                retargeted = services.policy_save(policy=form.instance, actor=request.user)
        except ValidationError as exc:
            for field, errors in _problems(exc).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Policy saved; {retargeted} open case(s) re-targeted.")
            return redirect("sla:policies")
    status = 400 if data is not None else 200
    return render(
        request,
        "sla/policy_edit.html",
        {"nav": "policies", "policy": policy, "form": form, "target_forms": target_forms},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request, pk: int | None = None):
    _require_manager(request.user)
    calendar = get_object_or_404(BusinessCalendar, pk=pk) if pk else BusinessCalendar()
    form = CalendarForm(request.POST or None, instance=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                calendar = form.apply()
                moved = services.calendar_save(
                    calendar=calendar, actor=request.user, teams=list(form.cleaned_data["teams"])
                )
        except ValidationError:
            pass
        else:
            messages.success(request, f"Calendar saved; {moved} open clock(s) rescheduled.")
            return redirect("sla:policies")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "sla/calendar_edit.html",
        {"nav": "policies", "form": form, "calendar": calendar},
        status=status,
    )
