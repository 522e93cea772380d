"""One-use tokens on browser forms, so a form sent twice acts once.

Every state-changing form renders `{% form_token %}` next to `{% csrf_token %}`: a hidden, signed,
random value that is new on each render. `FormTokenMiddleware` claims it before the view runs, by
inserting a row with a unique token column in the same transaction as the view's writes:

- a second POST with the same token finds the row and does not run the view; the user is sent
  back to the page with "This was already sent." (htmx: the view's fragment as it is now, with
  that sentence, when the view names one with `replay_with`; otherwise the page is reloaded);
- two identical POSTs at the same moment: the second insert waits on the unique index until the
  first request ends, so it sees the final outcome;
- when the view did not act (an answer of 400 or more, an exception, or a view that calls
  `release(request)` because it re-rendered the form with errors or only previewed it), the row
  is removed again, so the corrected form can be sent.

A view that only shows something (a live preview posted by htmx with the whole form) is marked
`@sends_nothing`: it never claims the token. Were it to claim it, the preview that a blur sends at
the moment the agent clicks Send would race the send for the same token, and whichever lost would
be answered "This was already sent.".

A POST without a token runs as it always did: browsers always send the token the template
renders, and scripts, tests and the JSON API (which has its own Idempotency-Key) do not carry
one. Views exempt from CSRF (the API, inbound hooks) are never browser forms and are skipped.

A token is valid for a day (its signature carries the time); rows older than that are pruned a
bounded batch at a time on each claim, so the table stays small without a periodic task.
"""

import datetime
import secrets

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .models import FormToken

FIELD = "form_token"
SALT = "recovery.form-token"
MAX_AGE = datetime.timedelta(days=1)
# Kept a little longer than a token lives, so no valid token can outlive its claim.
KEEP_FOR = MAX_AGE + datetime.timedelta(hours=1)
PRUNE_BATCH = 100
ALREADY_SENT = "This was already sent."
OUT_OF_DATE = "This page was open for more than a day, so nothing was sent: please fill it in again."
NOT_OURS = "This form could not be read, so nothing was sent: please reload the page and try again."


def form_token_issue() -> str:
    return signing.TimestampSigner(salt=SALT).sign(secrets.token_urlsafe(18))


def release(request) -> None:
    """Say that this POST did not act (errors shown, or only a preview): its token stays usable."""
    request._form_token_release = True


def sends_nothing(view):
    """Mark a view that changes nothing, so the form token it is posted with stays the form's."""
    view.form_token_exempt = True
    return view


def replay_with(fragment):
    """Answer a repeated htmx POST with `fragment(request, *view_args, **view_kwargs)`.

    The fragment shows the current state (the first send's result) and, through
    `request.form_already_sent`, the sentence that says so. Put it outermost on the view.
    """

    def decorate(view):
        view.form_token_replay = fragment
        return view

    return decorate


def form_tokens_prune(*, now: datetime.datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    cutoff = (now or timezone.now()) - KEEP_FOR
    ids = list(FormToken.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
    return FormToken.objects.filter(pk__in=ids).delete()[0] if ids else 0


def _back(request, text: str, *, level: int = messages.INFO) -> HttpResponse:
    """Back to the page the form was on, with a sentence saying what happened."""
    messages.add_message(request, level, text)
    htmx = getattr(request, "htmx", None)
    target = (htmx.current_url if htmx else None) or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if htmx:
        # htmx would swap a redirected page into the fragment's place: ask it to load the page.
        response = HttpResponse(status=200)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _acted(request, response: HttpResponse) -> bool:
    return response.status_code < 400 and not getattr(request, "_form_token_release", False)


class FormTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        if getattr(view_func, "form_token_exempt", False):
            return None
        token = request.POST.get(FIELD)
        if token is None:
            return None
        try:
            signing.TimestampSigner(salt=SALT).unsign(token, max_age=MAX_AGE)
        except signing.SignatureExpired:
            return _back(request, OUT_OF_DATE, level=messages.ERROR)
        except signing.BadSignature:
            return _back(request, NOT_OURS, level=messages.ERROR)
        return self._run_once(request, token, view_func, view_args, view_kwargs)

    def _run_once(self, request, token, view_func, view_args, view_kwargs):
        with transaction.atomic():
            try:
                # A concurrent request with the same token blocks here until this one ends.
                with transaction.atomic():
                    FormToken.objects.create(token=token)
            except IntegrityError:
                return self._already_sent(request, view_func, view_args, view_kwargs)
            response = view_func(request, *view_args, **view_kwargs)
            if not _acted(request, response):
                FormToken.objects.filter(token=token).delete()
        form_tokens_prune()
        return response

    @staticmethod
    def _already_sent(request, view_func, view_args, view_kwargs):
        fragment = getattr(view_func, "form_token_replay", None)
        if fragment is not None and getattr(request, "htmx", False) and request.user.is_authenticated:
            request.form_already_sent = ALREADY_SENT
            return fragment(request, *view_args, **view_kwargs)
        return _back(request, ALREADY_SENT)
