"""Applying a macro: each step through its own service and that service's authority check.

All or nothing, with one exception. The steps run in one transaction, so a step that is refused
(the customer cannot be reached, the case cannot take a remedy, the customer is past their
12-month total and it must be confirmed by hand, the caller may not work the case) refuses the
whole macro with that step's reason and nothing is sent: a customer must never hear an apology
that promises a coupon which was not given, and the agent must not have to work out which half
happened. The exception is a remedy over the agent's authority: that is not a refusal but the
remedy service's own answer, an approval request routed to the lead. The other steps apply, and
the result says the remedy is waiting for approval and why.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.events import register_reaction
from cases.models import Case
from cases.permissions import require_work
from cases.services import case_add_note
from messaging.models import MessageKind
from messaging.services import message_send
from remedies.services import remedy_give
from sla import services as sla_services

from .models import Macro


class MacroRefused(Exception):
    """A step was refused, so nothing of the macro was done; `step` and `problems` say why."""

    def __init__(self, step: str, problems: list[str]):
        self.step, self.problems = step, problems
        super().__init__(f"{step}: {' '.join(problems)}")


@dataclass
class MacroResult:
    macro: Macro
    done: list[str] = field(default_factory=list)
    awaiting_approval: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        said = f"{self.macro.name}: " + ("; ".join(self.done) or "nothing to do") + "."
        if self.awaiting_approval:
            said += " Waiting for approval: " + "; ".join(self.awaiting_approval) + "."
        return said


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


def macro_apply(*, case: Case, actor, macro: Macro) -> MacroResult:
    """Apply the macro's steps in order; raises MacroRefused when any step is refused."""
    if not macro.active:
        raise MacroRefused(macro.name, ["This macro is no longer offered."])
    result = MacroResult(macro=macro)
    step = macro.name
    try:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("customer", "team")
                .get(pk=case.pk)
            )
            require_work(actor, case)
            if macro.message_template_id:
                step = f"Message “{macro.message_template}”"
                template = macro.message_template
                sent = message_send(
                    case=case, actor=actor, kind=template.kind, subject=template.subject, body=template.body,
                    **_promise_for(macro, template.kind),
                )  # fmt: skip
                result.done.append(f"{template.name} sent by {sent.get_channel_display().lower()}")
            if macro.remedy_kind_id:
                step = f"{macro.remedy_kind} {macro.remedy_amount} {macro.remedy_currency}"
                given = remedy_give(
                    case=case, actor=actor, kind=macro.remedy_kind, amount=macro.remedy_amount,
                    currency=macro.remedy_currency, note=macro.remedy_note,
                )  # fmt: skip
                if given.approval is not None:
                    who = given.approval.assigned_to or "a manager"
                    result.awaiting_approval.append(f"{step}, sent to {who} ({' '.join(given.reasons)})")
                else:
                    result.done.append(f"{step} given")
            if macro.promise_what and not _promise_in_message(macro):
                step = f"Promise “{macro.promise_what}”"
                due = timezone.now() + datetime.timedelta(hours=macro.promise_hours)
                sla_services.promise_make(case=case, actor=actor, what=macro.promise_what, due_at=due)
                result.done.append(f"promised {macro.promise_what}")
            if macro.note:
                step = "Internal note"
                case_add_note(case=case, actor=actor, text=macro.note)
                result.done.append("note added")
    except (ValidationError, PermissionDenied) as exc:
        raise MacroRefused(step, _problems(exc)) from exc
    return result


def _promise_in_message(macro: Macro) -> bool:
    # An expectation template carries the promise itself (and starts its clock) in message_send.
    return bool(macro.message_template_id and macro.message_template.kind == MessageKind.EXPECTATION)


def _promise_for(macro: Macro, kind: str) -> dict:
    if kind != MessageKind.EXPECTATION:
        return {}
    if not macro.promise_what:
        raise ValidationError({"what": "This macro's expectation message needs a promise: edit the macro."})
    due = timezone.now() + datetime.timedelta(hours=macro.promise_hours)
    return {"what": macro.promise_what, "due_at": due}


def macros_offered():
    return Macro.objects.filter(active=True).select_related("message_template", "remedy_kind")


def _on_case_opened(event) -> None:
    """A macro chosen on the intake form applies with the opening, in its transaction: a
    refused step refuses the opening too, and the form shows why with everything typed."""
    macro_id = event.data.get("macro")
    if not macro_id or event.actor is None:
        return
    macro = Macro.objects.filter(pk=macro_id, active=True).first()
    if macro is None:
        raise ValidationError({"macro": "That macro is no longer offered: open the case without it."})
    try:
        macro_apply(case=event.case, actor=event.actor, macro=macro)
    except MacroRefused as exc:
        raise ValidationError({"macro": f"{macro.name} could not be applied. {exc}"}) from exc


def register() -> None:
    # After messaging's reaction (INSTALLED_APPS order): an "apologise now" is sent first.
    register_reaction({"case.opened"}, _on_case_opened)
