"""What conversations holds about a customer: their texts, their public posts, our public replies.

An opt-out (SmsOptOut) outlives an erasure on purpose: it is the suppression list that keeps us
from texting that number again, and it holds the number only.
"""

import contextlib

from django.conf import settings
from django.db.models import Q

from cases.privacy import ERASED, ErasureSubject, register_eraser, register_exporter

from .models import InboundSms, Mention, PublicCase
from .phones import BadNumber, phone_normalise


def _texts(subject: ErasureSubject):
    where = Q(case_id__in=subject.case_ids)
    with contextlib.suppress(BadNumber):  # a customer with no usable phone: their cases' texts only
        where |= Q(from_phone=phone_normalise(subject.phone, country_code=settings.SMS_DEFAULT_COUNTRY_CODE))
    return InboundSms.objects.filter(where)


def conversations_erase(subject: ErasureSubject) -> dict[str, int]:
    texts = _texts(subject).exclude(body=ERASED, from_phone="").update(body=ERASED, from_phone="")
    mentions = (
        Mention.objects.filter(case_id__in=subject.case_ids)
        .exclude(text=ERASED)
        .update(text=ERASED, author_handle=ERASED, url="https://erased.invalid/")
    )
    public = 0
    for row in PublicCase.objects.filter(case_id__in=subject.case_ids).exclude(author_handle=ERASED):
        PublicCase.objects.filter(pk=row.pk).update(
            author_handle=ERASED, url="https://erased.invalid/", reply_text=subject.scrub(row.reply_text)
        )
        public += 1
    return {"conversations.texts": texts, "conversations.mentions": mentions, "conversations.public": public}


def conversations_export(subject: ErasureSubject) -> list[dict]:
    out = [
        {
            "kind": "sms",
            "id": sms.sid,
            "from": sms.from_phone,
            "text": sms.body,
            "case": sms.case_id,
            "received_at": sms.received_at.isoformat(),
        }
        for sms in _texts(subject).order_by("received_at", "id")
    ]
    out += [
        {
            "kind": "mention",
            "platform": m.platform,
            "post_id": m.post_id,
            "url": m.url,
            "author": m.author_handle,
            "text": m.text,
            "rating": m.rating,
            "posted_at": m.posted_at.isoformat(),
            "case": m.case_id,
        }
        for m in Mention.objects.filter(case_id__in=subject.case_ids).order_by("received_at", "id")
    ]
    return out


def register() -> None:
    register_eraser("conversations", conversations_erase)
    register_exporter("conversations", conversations_export)
