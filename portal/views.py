"""The customer's status page (no login: the signed link is the key) and the agent's call-back
actions on the case page. Each POST calls one service."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.formtokens import release
from accounts.models import User
from cases import selectors as case_selectors
from cases.models import Case
from cases.permissions import can_view_case

from . import callbacks, links, selectors, services
from .forms import CallbackLogForm, ReplyForm, SlotForm
from .models import CustomerPhoto

# Per link: page views per minute, and answers/moves per ten minutes. Counted in the shared
# cache (Redis in production), so every web process counts the same link together.
VIEWS_PER_MINUTE = 60
POSTS_PER_TEN_MINUTES = 10


def _throttled(link_pk: int, method: str) -> bool:
    cache = caches["api"]
    now = int(timezone.now().timestamp())
    if method == "POST":
        key, limit, window = f"portal:post:{link_pk}:{now // 600}", POSTS_PER_TEN_MINUTES, 600
    else:
        key, limit, window = f"portal:view:{link_pk}:{now // 60}", VIEWS_PER_MINUTE, 60
    if cache.add(key, 1, timeout=window):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False


def _gone(request):
    # Tampered, revoked, expired or unknown: one answer, which says nothing about which.
    return render(request, "portal/not_found.html", status=404)


def by_link(view):
    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        link = links.link_open(token)
        if link is None:
            return _gone(request)
        if _throttled(link.pk, request.method):
            release(request)
            response = render(request, "portal/slow_down.html", status=429)
            response["Retry-After"] = "60"
            return response
        return view(request, link, token, *args, **kwargs)

    return wrapper


def _page(request, link, token, *, status=200, reply_form=None, slot_form=None, errors=None):
    context = selectors.status_page(link)
    context |= {
        "token": token,
        "reply_form": reply_form or ReplyForm(),
        "slot_form": slot_form or SlotForm(),
        "errors": errors or [],
        "sent": request.GET.get("sent", ""),
    }
    response = render(request, "portal/status.html", context, status=status)
    # The page is one person's: no shared cache keeps it, no referrer carries its URL to another
    # site ("no-referrer" would also blank the Origin of its own forms, and CSRF refuses those).
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _messages_of(exc: ValidationError) -> list[str]:
    return [m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms]


def _done(token: str, what: str):
    return redirect(reverse("portal:status", args=[token]) + f"?sent={what}#top")


@require_GET
@by_link
def status(request, link, token):
    return _page(request, link, token)


@require_POST
@by_link
def reply(request, link, token):
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.customer_reply(
                link=link, text=form.cleaned_data["text"], photo=form.cleaned_data["photo"]
            )
            return _done(token, "reply")
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
    release(request)
    return _page(request, link, token, status=400, reply_form=form)


@require_POST
@by_link
def callback_move(request, link, token, pk: int):
    form = SlotForm(request.POST)
    if form.is_valid():
        try:
            callbacks.callback_move(case=link.case, callback_id=pk, starts_at=form.cleaned_data["starts_at"])
            return _done(token, "moved")
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
    release(request)
    return _page(request, link, token, status=400, slot_form=form)


@require_POST
@by_link
def callback_confirm(request, link, token, pk: int):
    try:
        callbacks.callback_confirm(case=link.case, callback_id=pk)
    except ValidationError as exc:
        release(request)
        return _page(request, link, token, status=400, errors=_messages_of(exc))
    return _done(token, "confirmed")


# ---- the agent's side, on the case page ----------------------------------------------------------


def _case(request, reference: str) -> Case:
    try:
        return case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _back(case: Case):
    return redirect(f"/cases/{case.reference}/#customer-side")


def _refused(request, case, exc):
    messages.error(request, " ".join(_messages_of(exc)) if isinstance(exc, ValidationError) else str(exc))
    release(request)
    return _back(case)


@login_required
@require_POST
def callback_book(request, reference: str):
    case = _case(request, reference)
    form = SlotForm(request.POST)
    agent = request.user
    if request.POST.get("agent"):
        chosen = request.POST["agent"]
        agent = User.objects.filter(pk=int(chosen), is_active=True).first() if chosen.isdigit() else None
        if agent is None:
            return _refused(request, case, ValidationError({"agent": "Choose an agent of the team."}))
    if not form.is_valid():
        return _refused(request, case, ValidationError({"starts_at": "Choose one of the times offered."}))
    try:
        callbacks.callback_book(
            case=case, actor=request.user, starts_at=form.cleaned_data["starts_at"], agent=agent
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, case, exc)
    messages.success(request, "Call-back booked; the customer has been told.")
    return _back(case)


@login_required
@require_POST
def callback_log(request, reference: str, pk: int):
    case = _case(request, reference)
    form = CallbackLogForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, case, ValidationError({"outcome": "Say whether the call was made or dropped."})
        )
    data = form.cleaned_data
    try:
        callbacks.callback_log(
            case=case,
            callback_id=pk,
            actor=request.user,
            made=data["outcome"] == "made",
            note=data["note"],
            next_starts_at=data["next_starts_at"],
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, case, exc)
    messages.success(
        request, "Call logged." if data["outcome"] == "made" else "Dropped call logged; next attempt booked."
    )
    return _back(case)


@login_required
@require_POST
def link_revoke(request, reference: str):
    case = _case(request, reference)
    try:
        links.link_revoke(case=case, actor=request.user)
    except PermissionDenied as exc:
        return _refused(request, case, exc)
    messages.success(request, "The customer's link is revoked; the next message carries a new one.")
    return _back(case)


@login_required
@require_GET
def case_panel(request, reference: str):
    """The part of the case page that follows the customer live (htmx polls it)."""
    case = _case(request, reference)
    return render(request, "portal/_feed.html", selectors.case_feed(case))


@login_required
@require_GET
def photo(request, pk: int):
    row = CustomerPhoto.objects.select_related("case").filter(pk=pk).first()
    if row is None or not can_view_case(request.user, row.case):
        raise Http404("No such photo.")
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{row.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
