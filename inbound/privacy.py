"""What mail intake holds about a customer: their mails (raw and parsed) and the files they sent."""

import base64

from django.db.models import Q

from cases.privacy import ERASED, ErasureSubject, delete_file_on_commit, register_eraser, register_exporter

from .models import InboundAttachment, InboundMessage


def _messages(subject: ErasureSubject):
    where = Q(case_id__in=subject.case_ids)
    if subject.email:
        where |= Q(from_address__iexact=subject.email)  # quarantined mail has no case
    return InboundMessage.objects.filter(where)


def inbound_erase(subject: ErasureSubject) -> dict[str, int]:
    """Raw mail files and attachment files leave storage; rows keep dates, sizes, types, outcomes."""
    counts = {"inbound.messages": 0, "inbound.raw_files": 0, "inbound.attachments": 0, "inbound.files": 0}
    messages = list(_messages(subject).order_by("id"))
    for message in messages:
        erased_id = f"<erased-{message.pk}@erased.invalid>"
        if message.message_id == erased_id and not message.raw:
            continue
        counts["inbound.raw_files"] += delete_file_on_commit(message.raw)
        # The Message-ID names the sender's host and sometimes the sender; it must stay unique.
        InboundMessage.objects.filter(pk=message.pk).update(
            message_id=erased_id,
            from_address="",
            from_name="",
            subject=ERASED,
            reason=subject.scrub(message.reason),
            raw="",
        )
        counts["inbound.messages"] += 1
    for attachment in InboundAttachment.objects.filter(message__in=messages).exclude(filename=ERASED):
        counts["inbound.files"] += delete_file_on_commit(attachment.file)
        InboundAttachment.objects.filter(pk=attachment.pk).update(
            filename=ERASED, file="", refused_reason=subject.scrub(attachment.refused_reason)
        )
        counts["inbound.attachments"] += 1
    return counts


def _read(file) -> bytes | None:
    if not file:
        return None
    try:
        with file.open("rb") as stored:
            return stored.read()
    except FileNotFoundError:
        return None


def inbound_export(subject: ErasureSubject) -> list[dict]:
    """Each mail with its raw text and every attachment's bytes (base64)."""
    out = []
    for message in _messages(subject).prefetch_related("attachments").order_by("received_at", "id"):
        raw = _read(message.raw)
        attachments = []
        for attachment in message.attachments.all():
            content = _read(attachment.file)
            attachments.append(
                {
                    "filename": attachment.filename,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "refused_reason": attachment.refused_reason,
                    "content_base64": base64.b64encode(content).decode() if content is not None else None,
                }
            )
        out.append(
            {
                "message_id": message.message_id,
                "from_address": message.from_address,
                "from_name": message.from_name,
                "subject": message.subject,
                "status": message.status,
                "case": message.case_id,
                "received_via": message.received_via,
                "received_at": message.received_at.isoformat(),
                "size": message.size,
                "raw": raw.decode("utf-8", errors="replace") if raw is not None else None,
                "attachments": attachments,
            }
        )
    return out


def register() -> None:
    register_eraser("inbound", inbound_erase)
    register_exporter("inbound", inbound_export)
