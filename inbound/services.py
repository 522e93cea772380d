"""Mail intake: every mail, however it arrived, goes through `message_receive`.

A new complaint opens a case, a reply lands on its case's timeline, an auto-reply is recorded and
ignored, and anything too big or too broken is quarantined for an admin. Nothing is dropped.
"""

import logging
import os
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import (
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
    transaction,
)
from django.utils import timezone
from django.utils.text import Truncator, get_valid_filename

from accounts.models import Team
from cases import services as case_services
from cases.events import record_event
from cases.models import Case, Channel, JourneyStage, Product, Severity
from cases.selectors import can
from cases.workflow import Action

from .models import InboundAttachment, InboundMessage, Outcome, Via
from .parsing import (
    Envelope,
    MalformedMail,
    ParsedMail,
    attachment_problem,
    envelope_read,
    mail_parse,
    reference_from_message_id,
    strip_quoted,
)

log = logging.getLogger(__name__)

# Faults that say "try again later", not "this mail is bad": the caller keeps the mail (SMTP 451,
# IMAP leaves it unseen) and offers it again; the Message-ID makes the second delivery harmless.
# A DataError or IntegrityError is about the mail itself: retrying would fail forever, so those
# are quarantined like any other unforeseen failure.
TEMPORARY_ERRORS = (
    OperationalError,
    InterfaceError,
    InternalError,
    ProgrammingError,
    OSError,
    ImproperlyConfigured,
)
MAX_THREAD_IDS = 50
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class Receipt:
    message: InboundMessage
    created: bool  # False: this Message-ID was taken before, and nothing was done again

    @property
    def status(self) -> str:
        return str(self.message.status)  # the stored code, also on a row just created


def message_receive(*, raw: bytes, received_via: str) -> Receipt:
    """Take one mail in and say what became of it.

    Commits before it returns, so the caller may acknowledge the mail afterwards (SMTP 250, IMAP
    \\Seen); do not call it inside a transaction. Raises only `TEMPORARY_ERRORS`.
    """
    received_via = Via(received_via)
    limit = settings.INBOUND_MAX_BYTES
    if len(raw) > limit:
        reason = f"Too large: {len(raw)} bytes, the limit is {limit}."
        return _quarantine(raw=raw, received_via=received_via, envelope=envelope_read(raw), reason=reason)
    try:
        mail = mail_parse(raw)
    except MalformedMail as exc:
        return _quarantine(raw=raw, received_via=received_via, envelope=envelope_read(raw), reason=str(exc))
    existing = InboundMessage.objects.filter(message_id=mail.message_id).first()
    if existing is not None:
        return Receipt(message=existing, created=False)
    try:
        return _route(raw=raw, received_via=received_via, mail=mail)
    except TEMPORARY_ERRORS:
        raise
    except Exception as exc:
        # An unforeseen mail (or a bug) must not fail again on every poll and block the mailbox.
        log.exception("Could not process mail %s", mail.message_id)
        envelope = Envelope(
            message_id=mail.message_id,
            from_address=mail.from_address,
            from_name=mail.from_name,
            subject=mail.subject,
        )
        reason = f"Could not be processed: {type(exc).__name__}: {exc}"
        return _quarantine(raw=raw, received_via=received_via, envelope=envelope, reason=reason)


def _store_message(
    *, raw: bytes, received_via: str, envelope: Envelope, status: str, reason: str = "", case=None
) -> InboundMessage | None:
    """The message row with its raw bytes; None when another delivery took the Message-ID first."""
    message = InboundMessage(
        message_id=envelope.message_id,
        from_address=envelope.from_address,
        from_name=envelope.from_name,
        subject=envelope.subject,
        status=status,
        reason=reason,
        case=case,
        received_via=received_via,
        received_at=timezone.now(),
        size=len(raw),
    )
    message.raw.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Two pollers or a retried SMTP delivery at the same moment: the unique Message-ID decides.
        return None
    return message


def _quarantine(*, raw: bytes, received_via: str, envelope: Envelope, reason: str) -> Receipt:
    existing = InboundMessage.objects.filter(message_id=envelope.message_id).first()
    if existing is None:
        existing = _store_message(
            raw=raw, received_via=received_via, envelope=envelope, status=Outcome.QUARANTINED, reason=reason
        )
        if existing is not None:
            log.warning("Quarantined mail %s: %s", envelope.message_id, reason)
            return Receipt(message=existing, created=True)
        existing = InboundMessage.objects.get(message_id=envelope.message_id)
    return Receipt(message=existing, created=False)


def _route(*, raw: bytes, received_via: str, mail: ParsedMail) -> Receipt:
    envelope = Envelope(
        message_id=mail.message_id,
        from_address=mail.from_address,
        from_name=mail.from_name,
        subject=mail.subject,
    )
    # Our own mail coming back (a forward, a misrouted copy) must not open a case: it would loop.
    ours = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    machine = mail.auto_reply or ("sent from our own address" if mail.from_address == ours else "")
    with transaction.atomic():
        case = _thread_case(mail)
        if machine:
            status, reason = Outcome.AUTO_REPLY, f"Auto-reply ({machine}): no case opened."
        else:
            status, reason = (Outcome.THREADED if case else Outcome.CASE_OPENED), ""
        message = _store_message(
            raw=raw, received_via=received_via, envelope=envelope, status=status, reason=reason, case=case
        )
        if message is None:
            return Receipt(message=InboundMessage.objects.get(message_id=mail.message_id), created=False)
        if status == Outcome.AUTO_REPLY:
            return Receipt(message=message, created=True)
        if case is None:
            message.case = _open_case(mail)
            message.save(update_fields=["case"])
        attachments = _store_attachments(message=message, mail=mail)
        if status == Outcome.THREADED:
            _add_reply(case=case, message=message, mail=mail, attachments=attachments)
        elif attachments:
            summary = _attachment_summary(attachments)
            record_event(
                case=message.case,
                kind="case.attachments.received",
                data={"inbound_message": message.pk, "text": _attachment_text(summary), **summary},
            )
    return Receipt(message=message, created=True)


def _thread_case(mail: ParsedMail) -> Case | None:
    """The case this mail answers: by a Message-ID we know, else by our reference."""
    thread_ids = mail.thread_ids[:MAX_THREAD_IDS]
    if thread_ids:
        known = (
            InboundMessage.objects.filter(message_id__in=thread_ids, case__isnull=False)
            .select_related("case")
            .order_by("-received_at", "-id")
            .first()
        )
        if known is not None:
            return known.case
    references = [reference_from_message_id(mid) for mid in thread_ids] + [mail.subject_reference]
    for reference in filter(None, references):
        case = Case.objects.filter(reference=reference).first()
        if case is not None:
            return case
    return None


def intake_team() -> Team:
    slug = settings.INBOUND_TEAM
    team = Team.objects.filter(slug=slug).first() if slug else Team.objects.order_by("id").first()
    if team is None and slug:
        raise ImproperlyConfigured(f"INBOUND_TEAM {slug!r} is not a team's slug.")
    if team is None:
        raise ImproperlyConfigured("Mail intake needs a team: create one or set INBOUND_TEAM.")
    return team


def _open_case(mail: ParsedMail) -> Case:
    customer = case_services.customer_find_or_create(
        name=mail.from_name or mail.from_address.split("@")[0], email=mail.from_address
    )
    product, _ = Product.objects.get_or_create(name=settings.INBOUND_PRODUCT)
    return case_services.case_open(
        actor=None,
        customer=customer,
        channel=Channel.EMAIL,
        summary=Truncator(mail.subject).chars(200) or "(no subject)",
        description=mail.text,
        product=product,
        journey_stage=JourneyStage.AFTER_SALES,
        severity=Severity.MEDIUM,
        team=intake_team(),
    )


def _add_reply(*, case: Case, message: InboundMessage, mail: ParsedMail, attachments) -> None:
    # Lock first: an agent may be moving the case while the reply arrives.
    case = Case.objects.select_for_update().get(pk=case.pk)
    record_event(
        case=case,
        kind="case.customer_message",
        data={
            "from": mail.from_address,
            "name": mail.from_name,
            "subject": mail.subject,
            "text": strip_quoted(mail.text) or "(no text)",
            "inbound_message": message.pk,
            **_attachment_summary(attachments),
        },
    )
    if can(case, Action.CUSTOMER_REPLIED):  # a reply while we wait on them resumes the case
        case_services.case_transition(case=case, action=Action.CUSTOMER_REPLIED, actor=None)


def _safe_name(filename: str) -> str:
    try:
        name = get_valid_filename(os.path.basename(filename.replace("\\", "/")))
    except SuspiciousFileOperation:
        name = ""
    root, ext = os.path.splitext(name or "attachment")
    return f"{root[:80]}{ext[:20]}"


def _store_attachments(*, message: InboundMessage, mail: ParsedMail) -> list[InboundAttachment]:
    rows = []
    for number, attachment in enumerate(mail.attachments, start=1):
        problem = attachment_problem(
            attachment,
            allowed_types=settings.INBOUND_ATTACHMENT_TYPES,
            max_bytes=settings.INBOUND_ATTACHMENT_MAX_BYTES,
        )
        if number > MAX_ATTACHMENTS:
            problem = f"more than {MAX_ATTACHMENTS} files in one mail"
        row = InboundAttachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type[:255],
            size=len(attachment.data),
            refused_reason=problem[:300],
        )
        if not problem:
            row.file.save(_safe_name(attachment.filename), ContentFile(attachment.data), save=False)
        row.save()
        rows.append(row)
    return rows


def _attachment_summary(attachments: list[InboundAttachment]) -> dict:
    stored = [a.filename for a in attachments if a.stored]
    refused = [f"{a.filename}: {a.refused_reason}" for a in attachments if not a.stored]
    return {"attachments": stored, "refused": refused}


def _attachment_text(summary: dict) -> str:
    parts = []
    if summary["attachments"]:
        parts.append("Stored: " + ", ".join(summary["attachments"]) + ".")
    if summary["refused"]:
        parts.append("Refused: " + "; ".join(summary["refused"]) + ".")
    return " ".join(parts)


def message_reprocess(*, message: InboundMessage) -> Receipt:
    """Take a quarantined mail in again from its stored bytes (after a fix or a setting change).

    All or nothing: if the second attempt fails, the quarantined row is still there.
    """
    if message.status != Outcome.QUARANTINED:
        raise ValueError("Only quarantined mail can be taken in again.")
    with message.raw.open("rb") as stored:
        raw = stored.read()
    with transaction.atomic():
        InboundMessage.objects.filter(pk=message.pk).delete()
        return message_receive(raw=raw, received_via=message.received_via)
