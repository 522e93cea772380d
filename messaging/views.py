"""Writing a message to the customer from the case page: choose, preview, edit, send."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.formtokens import release, sends_nothing
from cases import selectors as case_selectors
from cases.models import Case
from cases.permissions import require_work
from cases.services import CaseChanged, case_add_note
from cases.views.case_page import _render_case
from cases.views.stale import UnreadableVersion, expected_version, refusal_status

from .forms import MessageForm, ReplyForm
from .models import MessageKind, MessageTemplate
from .rendering import message_render
from .services import message_send


def _case(request, reference: str) -> Case:
    try:
        return case_selectors.case_for_page(request.user, reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _initial(request) -> dict:
    chosen = request.GET.get("template", "")
    template = MessageTemplate.objects.filter(pk=chosen, active=True).first() if chosen.isdigit() else None
    if template is None:
        return {"kind": MessageKind.FREE}
    return {"kind": template.kind, "subject": template.subject, "body": template.body}


@login_required
@require_http_methods(["GET", "POST"])
def compose(request, reference: str):
    case = _case(request, reference)
    require_work(request.user, case)  # seeing a case is not working it: 403 for those who only see
    status = 200
    if request.method == "GET":
        form = MessageForm(initial=_initial(request))
        subject, body, due_at = form.initial.get("subject", ""), form.initial.get("body", ""), None
    else:
        form = MessageForm(request.POST)
        valid = form.is_valid()
        data = form.cleaned_data
        subject, body, due_at = data.get("subject", ""), data.get("body", ""), data.get("due_at")
        if valid and request.POST.get("intent") == "send":
            try:
                message_send(
                    case=case, actor=request.user, **data, expected_version=expected_version(request)
                )
            except ValidationError as exc:
                problems = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                for field, errors in problems.items():
                    form.add_error(field if field in form.fields else None, errors)
            except (CaseChanged, UnreadableVersion) as exc:
                form.add_error(None, str(exc))
                status = refusal_status(exc, otherwise=400)
                if isinstance(exc, CaseChanged):
                    case = _case(request, reference)  # as it is now: the form carries this version
            else:
                messages.success(request, "Message sent to the customer.")
                return redirect(f"/cases/{case.reference}/#messages")
        if form.errors:
            status = max(status, 400)  # a stale page has said 409 already
        release(request)  # a preview, or errors to correct: nothing was sent yet
    preview = message_render(case=case, subject=subject or "", body=body or "", promised_at=due_at)
    templates = MessageTemplate.objects.filter(active=True).exclude(kind=MessageKind.ACKNOWLEDGEMENT)
    chosen = request.GET.get("template", "")
    context = {"case": case, "form": form, "preview": preview, "templates": templates, "chosen": chosen}
    return render(request, "messaging/compose.html", context, status=status)


def _add_errors(form, exc: ValidationError) -> None:
    problems = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, errors in problems.items():
        field = "body" if field == "text" else field  # the note's text is the composer's body
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_POST
def reply(request, reference: str):
    """The case page's composer: a public reply (its case move included) or an internal note."""
    case = _case(request, reference)
    require_work(request.user, case)
    form = ReplyForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["visibility"] == ReplyForm.INTERNAL:
                case_add_note(
                    case=case,
                    actor=request.user,
                    text=data["body"],
                    expected_version=expected_version(request),
                )
                note = "Internal note added."
            else:
                sent = message_send(
                    case=case,
                    actor=request.user,
                    kind=form.kind,
                    body=data["body"],
                    subject=data["subject"],
                    channel=data["channel"],
                    what=data["what"],
                    due_at=data["due_at"],
                    expected_version=expected_version(request),
                )
                note = f"Sent to {case.customer.name} by {sent.get_channel_display().lower()}."
        except ValidationError as exc:
            _add_errors(form, exc)
        except (CaseChanged, UnreadableVersion) as exc:
            form.add_error(None, str(exc))
            status = refusal_status(exc, otherwise=400)
            if isinstance(exc, CaseChanged):
                case = _case(request, reference)  # as it is now: the form carries this version
        else:
            messages.success(request, note)
            return redirect(f"/cases/{case.reference}/#messages")
    # Shown in place on the case page, with everything typed still there.
    request.messaging_reply_form = form
    return _render_case(request, case, status=status)


@sends_nothing  # posted with the composer's whole form, token included, at every keystroke and blur
@login_required
@require_POST
def reply_preview(request, reference: str):
    """What the customer will read, filled with the case's facts, as the agent types."""
    case = _case(request, reference)
    form = ReplyForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    preview = message_render(
        case=case,
        subject=data.get("subject") or "",
        body=data.get("body") or "",
        promised_at=data.get("due_at"),
    )
    return render(request, "messaging/_preview.html", {"preview": preview})
