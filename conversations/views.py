"""The agent's side of a public case: record the public reply and where the talk went on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.formtokens import release
from cases import selectors as case_selectors
from cases.models import Case
from cases.permissions import require_work
from cases.services import CaseChanged
from cases.views.stale import UnreadableVersion, expected_version, refusal_status

from .services import public_reply_record
from .services.mentions import PRIVATE_CHANNELS


@login_required
@require_POST
def public_reply(request, reference: str):
    try:
        case = case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None
    require_work(request.user, case)
    fields = {name: request.POST.get(name, "") for name in ("text", "link", "private_channel")}
    try:
        public_reply_record(
            case=case, actor=request.user, **fields, expected_version=expected_version(request)
        )
    except ValidationError as exc:
        errors, status = exc.message_dict, 400
    except (CaseChanged, UnreadableVersion) as exc:
        errors, status = {"__all__": [str(exc)]}, refusal_status(exc, otherwise=400)
    else:
        messages.success(request, "Public reply recorded.")
        return redirect(f"/cases/{case.reference}/#public-h")
    release(request)  # nothing was recorded: the corrected form may be sent
    form_errors = errors.pop("__all__", [])
    context = {
        "case": case,
        "errors": errors,
        "form_errors": form_errors,
        "values": fields,
        "channels": PRIVATE_CHANNELS,
    }
    return render(request, "conversations/public_reply.html", context, status=status)
