"""Sending messages to customers: one timeline event and one outbox row, in one transaction.

Nothing is sent here. The outbox delivers after commit, so a slow mail server or SMS gateway
never holds the case's lock, and a rolled-back send never reaches the customer.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from cases import config, outbox
from cases.events import record_event, register_outbox, register_reaction
from cases.models import Case, Channel
from cases.permissions import require_work
from cases.selectors import can
from cases.services import case_transition
from cases.workflow import Action
from inbound.replies import case_email_build
from sla import notify
from sla import services as sla_services
from sla.models import Notification, NotificationChannel

from .models import CustomerMessage, MessageKind, MessageTemplate, TeamMessaging
from .rendering import Rendered, message_render

CONFIG = "team-messaging"
ROUTES = {NotificationChannel.EMAIL, NotificationChannel.SMS}

DEFAULT_ACKNOWLEDGEMENT = (
    "Hello {first_name},\n\nThank you for telling us. Your reference is {reference}.\n"
    "A person from our team will answer you by {first_response_due}.\n"
)


def message_route(*, case: Case, channel: str = "") -> tuple[str, str]:
    """(channel, address): e-mail when the case came by e-mail or there is no phone, else SMS.

    An explicit `channel` is the customer's stated preference and wins when we have the address.
    """
    customer = case.customer
    if channel == NotificationChannel.EMAIL:
        if not customer.email:
            raise ValidationError({"channel": f"{customer} has no e-mail address."})
        return NotificationChannel.EMAIL, customer.email
    if channel == NotificationChannel.SMS:
        if not customer.phone:
            raise ValidationError({"channel": f"{customer} has no phone number."})
        return NotificationChannel.SMS, customer.phone
    if channel:
        raise ValidationError({"channel": "Choose e-mail or SMS."})
    if customer.email and (case.channel == Channel.EMAIL or not customer.phone):
        return NotificationChannel.EMAIL, customer.email
    if customer.phone:
        return NotificationChannel.SMS, customer.phone
    raise ValidationError(
        {"channel": f"{customer} has no e-mail address or phone number: add one to the customer first."}
    )


@dataclass(frozen=True)
class Outgoing:
    """A message to the customer, written to the outbox with the event that records it."""

    kind: str
    channel: str
    address: str
    subject: str
    body: str
    headers: dict
    sent_by: object = None


def outgoing_write(event, out: Outgoing) -> CustomerMessage:
    """The outbox builder for `record_event(..., customer_message=Outgoing(...))`."""
    row = Notification.objects.create(
        channel=out.channel,
        address=out.address,
        case=event.case,
        event=event,
        subject=out.subject[:200],
        body=out.body,
        created_at=event.created_at,
        next_attempt_at=event.created_at,
    )
    outbox.enqueue(notify.CHANNEL, [row.pk])
    return CustomerMessage.objects.create(
        case=event.case,
        notification=row,
        kind=out.kind,
        channel=out.channel,
        address=out.address,
        subject=out.subject[:200],
        body=out.body,
        headers=out.headers,
        sent_by=out.sent_by if out.sent_by is not None and out.sent_by.is_authenticated else None,
        created_at=event.created_at,
    )


# Lines added under every message to the customer (the status page link), registered by the
# concerns above this one: `footer(case, channel) -> str`, empty for nothing.
_footers: list = []


def register_footer(footer) -> None:
    if footer not in _footers:
        _footers.append(footer)


def _with_footers(case: Case, channel: str, body: str) -> str:
    lines = [line for line in (footer(case, channel) for footer in _footers) if line]
    return "\n\n".join([body.rstrip(), *lines]) if lines else body


def message_send_automatic(
    *, case: Case, kind: str, subject: str, body: str, channel: str = ""
) -> CustomerMessage | None:
    """A message no person wrote (a call-back's reminder, a survey, an approval's wait) on the
    customer's usual channel or the one named; None when we have no way to reach them: the caller
    records that instead. Called inside the caller's transaction."""
    try:
        route = message_route(case=case, channel=channel)
    except ValidationError:
        return None
    rendered = message_render(case=case, subject=subject, body=body)
    return _queue(case=case, kind=kind, rendered=rendered, route=route, actor=None, automatic=True)


def _queue(
    *, case: Case, kind: str, rendered: Rendered, route: tuple[str, str], actor, automatic: bool = False
) -> CustomerMessage:
    now = timezone.now()
    channel, address = route
    rendered = Rendered(subject=rendered.subject, body=_with_footers(case, channel, rendered.body))
    subject, headers = rendered.subject.strip() or case.summary, {}
    if channel == NotificationChannel.EMAIL:
        email = case_email_build(case=case, body=rendered.body, subject=rendered.subject, automatic=automatic)
        subject, headers = email.subject, dict(email.extra_headers)
    event = record_event(
        case=case,
        kind="case.message.sent",
        actor=actor,
        at=now,
        data={"kind": kind, "channel": channel, "subject": subject, "automatic": automatic},
        customer_message=Outgoing(
            kind=kind,
            channel=channel,
            address=address,
            subject=subject,
            body=rendered.body,
            headers=headers,
            sent_by=actor,
        ),
    )
    return event.outbox["customer_message"]


def message_send(
    *,
    case: Case,
    actor,
    kind: str,
    body: str,
    subject: str = "",
    channel: str = "",
    what: str = "",
    due_at: datetime | None = None,
    expected_version: int | None = None,
) -> CustomerMessage:
    """Send a message a person wrote, with the case move it stands for.

    The first public reply on a new case is its first response (stopping its clock) when it is
    the apology or comes from the owner: one path whether the agent started from the template
    or wrote it themselves. The expectation records the promise clock, an update restarts the
    periodic-update clock. Any stage may send: a resolved or followed-up customer still needs
    the resolution and follow-up messages. `expected_version` is the case as the writer saw
    it: the case move refuses it with `CaseChanged` when stale.
    """
    body = body.replace("\r\n", "\n")  # browsers post CRLF; mail and SMS get plain newlines
    errors: dict[str, str] = {}
    if kind not in MessageKind.values or kind == MessageKind.ACKNOWLEDGEMENT:
        errors["kind"] = "Choose what kind of message this is."
    if not body.strip():
        errors["body"] = "Write the message: it is empty."
    if kind == MessageKind.EXPECTATION and not what.strip():
        errors["what"] = "Say what we will do by the promised time."
    if kind == MessageKind.EXPECTATION and due_at is None:
        errors["due_at"] = "Give the date and time promised."
    try:
        route = message_route(case=case, channel=channel)
    except ValidationError as exc:
        errors |= {field: messages[0] for field, messages in exc.message_dict.items()}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("customer", "team").get(pk=case.pk)
        require_work(actor, case)
        promised_at = due_at if kind == MessageKind.EXPECTATION else None
        rendered = message_render(case=case, subject=subject, body=body, promised_at=promised_at)
        if first_response(case=case, actor=actor, kind=kind):
            case = case_transition(
                case=case,
                action=Action.RESPOND,
                actor=actor,
                data={"message": rendered.body},
                expected_version=expected_version,
            )
        if kind == MessageKind.EXPECTATION:
            sla_services.promise_make(case=case, actor=actor, what=what, due_at=due_at)
        elif kind == MessageKind.UPDATE:
            sla_services.customer_update_record(case=case, actor=actor, note=rendered.subject)
        return _queue(case=case, kind=kind, rendered=rendered, route=route, actor=actor)


def first_response(*, case: Case, actor, kind: str) -> bool:
    """Whether this public reply is the case's first response: the apology from anyone who
    works the case, or whatever the owner writes first."""
    if not can(case, Action.RESPOND, user=actor):
        return False
    return kind == MessageKind.APOLOGY or (case.owner_id is not None and case.owner_id == actor.pk)


def acknowledging_teams() -> frozenset[int]:
    """Teams that acknowledge new cases: read once per process, dropped when a setting changes."""

    def load():
        return frozenset(
            TeamMessaging.objects.filter(auto_acknowledge=True).values_list("team_id", flat=True)
        )

    return config.cached(CONFIG, load)


def _settings_changed(**kwargs) -> None:
    config.changed(CONFIG)


def _on_case_opened(event) -> None:
    if event.data.get("apologise") and event.actor is not None:
        apology_send(case=event.case, actor=event.actor)  # a person's apology: no automatic one
    else:
        acknowledgement_send(case=event.case)


DEFAULT_APOLOGY = (
    "Hello {first_name},\n\nI am sorry. I am {owner} and I own your case {reference} until it is put right.\n"
)


def apology_send(*, case: Case, actor) -> CustomerMessage:
    """The apology from its template, e.g. as the agent opens the case: the first response."""
    template = MessageTemplate.objects.filter(kind=MessageKind.APOLOGY, active=True).first()
    return message_send(
        case=case,
        actor=actor,
        kind=MessageKind.APOLOGY,
        subject=template.subject if template else "We are sorry",
        body=template.body if template else DEFAULT_APOLOGY,
    )


def register() -> None:
    post_save.connect(_settings_changed, sender=TeamMessaging, dispatch_uid="messaging-config-save")
    post_delete.connect(_settings_changed, sender=TeamMessaging, dispatch_uid="messaging-config-delete")
    register_outbox(outgoing_write, keyword="customer_message")
    # After the SLA app's reaction (INSTALLED_APPS order): the acknowledgement names the
    # first-response clock's due time.
    register_reaction({"case.opened"}, _on_case_opened)


def acknowledgement_send(*, case: Case) -> CustomerMessage | None:
    """On intake, when the team asks for it: the reference and when a person will answer.

    Automatic (Auto-Submitted) and no case move: only a person's apology stops the
    first-response clock. Called inside the intake transaction.
    """
    if not case.customer.email:
        return None
    if case.team_id not in acknowledging_teams():
        return None
    template = MessageTemplate.objects.filter(kind=MessageKind.ACKNOWLEDGEMENT, active=True).first()
    body = template.body if template else DEFAULT_ACKNOWLEDGEMENT
    subject = template.subject if template else "We have your message"
    rendered = message_render(case=case, subject=subject, body=body)
    route = (NotificationChannel.EMAIL, case.customer.email)
    return _queue(
        case=case,
        kind=MessageKind.ACKNOWLEDGEMENT,
        rendered=rendered,
        route=route,
        actor=None,
        automatic=True,
    )
