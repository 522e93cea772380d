"""What the customer does from their status page: answer us, add a photo.

The answer lands on the case's timeline through the event funnel and, when we were waiting on
the customer, moves the case on (as a mail reply does in inbound/).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.events import record_event
from cases.models import Case
from cases.selectors import can
from cases.workflow import Action
from inbound.parsing import Attachment, attachment_problem

from .models import CustomerPhoto, StatusLink

MAX_TEXT = 5000


def photo_types() -> list[str]:
    """The mail attachment types that are pictures."""
    return [t for t in settings.INBOUND_ATTACHMENT_TYPES if t.startswith("image/")]


def _photo_check(upload) -> Attachment:
    limit = settings.INBOUND_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"photo": f"The photo is too big: at most {limit // 1024 // 1024} MB."})
    attachment = Attachment(filename=upload.name, content_type=upload.content_type or "", data=upload.read())
    problem = attachment_problem(
        attachment, allowed_types=photo_types(), max_bytes=settings.INBOUND_ATTACHMENT_MAX_BYTES
    )
    if problem:
        raise ValidationError({"photo": f"We cannot take this file: {problem}."})
    return attachment


def customer_reply(*, link: StatusLink, text: str, photo=None) -> None:
    """The customer's answer (and a photo) from their status page."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text and photo is None:
        raise ValidationError({"text": "Write your answer, or add a photo."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Please keep it under {MAX_TEXT} characters."})
    attachment = _photo_check(photo) if photo is not None else None
    with transaction.atomic():
        # Lock first: an agent may be moving the case while the answer arrives.
        case = Case.objects.select_for_update(of=("self",)).get(pk=link.case_id)
        now = timezone.now()
        stored = None
        if attachment is not None:
            stored = CustomerPhoto(
                case=case,
                link=link,
                filename=attachment.filename[:255],
                content_type=attachment.content_type,
                size=len(attachment.data),
                created_at=now,
            )
            stored.file.save(
                f"case-{case.pk}{_extension(attachment.content_type)}",
                ContentFile(attachment.data),
                save=False,
            )
            stored.save()
        record_event(
            case=case,
            kind="portal.reply",
            at=now,
            data={"text": text, "photo": stored.pk if stored else None, "link": link.pk},
        )
        if can(case, Action.CUSTOMER_REPLIED):  # an answer while we wait on them resumes the case
            case_services.case_transition(case=case, action=Action.CUSTOMER_REPLIED, actor=None)


def _extension(content_type: str) -> str:
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}.get(
        content_type, ""
    )
