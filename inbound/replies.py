"""Mail we send about a case, built so that the customer's answer threads back to it.

Only builds the message: sending belongs to the notification outbox's e-mail channel, after
commit. The Message-ID carries the case reference, so an answer threads by `In-Reply-To` even
when the customer's mail client rewrites the subject.
"""

import uuid
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from cases.models import Case

from .models import InboundMessage, Outcome
from .parsing import REFERENCE_RE

MAX_REFERENCES = 20


def case_message_id(*, case: Case) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "recovery.invalid"
    return f"<{case.reference}.{uuid.uuid4().hex}@{domain}>"


def case_subject(*, case: Case, subject: str = "") -> str:
    """The subject with our reference in it, once: "[R-000123] ..."."""
    subject = subject.strip() or case.summary
    match = REFERENCE_RE.search(subject)
    if match and f"R-{match.group(1)}" == case.reference:
        return subject
    return f"[{case.reference}] {subject}"


def case_thread_headers(*, case: Case) -> dict[str, str]:
    """In-Reply-To the customer's latest mail on the case, References to the ones before it."""
    known = list(
        InboundMessage.objects.filter(case=case, status__in=[Outcome.CASE_OPENED, Outcome.THREADED])
        .order_by("-received_at", "-id")
        .values_list("message_id", flat=True)[:MAX_REFERENCES]
    )
    if not known:
        return {}
    return {"In-Reply-To": known[0], "References": " ".join(reversed(known))}


def case_email_build(*, case: Case, body: str, subject: str = "", automatic: bool = False) -> EmailMessage:
    """A ready-to-send mail to the case's customer.

    `automatic` marks a message no person wrote (an acknowledgement): RFC 3834's Auto-Submitted,
    and a request that the customer's mail server sends no out-of-office back, so two robots
    never answer each other.
    """
    if not case.customer.email:
        raise ValueError(f"{case.customer} has no e-mail address.")
    thread = case_thread_headers(case=case)
    headers = {"Message-ID": case_message_id(case=case), **thread}
    if automatic:
        headers |= {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    prefix = "Re: " if thread and not subject else ""
    return EmailMessage(
        subject=prefix + case_subject(case=case, subject=subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[case.customer.email],
        headers=headers,
    )
