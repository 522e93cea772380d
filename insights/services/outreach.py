"""The survey reaches the customer: sent by their channel after the fix, one reminder, opt-out kept.

Resolving a case starts the survey's clock (a stored deadline, never a Celery countdown); the beat
sweep sends what is due, on the channel the customer uses (e-mail or SMS), through the outbox.
Idempotent: rows are claimed with SKIP LOCKED and each step moves `next_check_at` on in the same
transaction as its messages, so a second sweep or a retried task finds nothing left to do.
"""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.events import record_event, register_reaction
from cases.models import Case
from cases.selectors import row_facts
from cases.workflow import Action, Work, work_problems
from messaging.models import MessageKind
from messaging.services import message_send_automatic

from ..models import SurveyInvitation, SurveyOptOut, SurveyOutreach
from .surveys import SURVEY_DAYS, _hash, survey_find

BATCH = 100


def survey_schedule(*, case: Case, at: datetime.datetime) -> SurveyOutreach | None:
    """Start the survey's clock when the case is resolved for the customer (once per case; not
    when the agent already sent one by hand)."""
    if SurveyInvitation.objects.filter(case=case).exists():
        return None
    send_at = at + datetime.timedelta(minutes=settings.SURVEY_SEND_AFTER_MINUTES)
    outreach, _ = SurveyOutreach.objects.get_or_create(
        case=case, defaults={"created_at": at, "send_at": send_at, "next_check_at": send_at}
    )
    return outreach


def _on_transition(event) -> None:
    if event.data.get("action") == Action.RESOLVE:
        survey_schedule(case=event.case, at=event.created_at)


def register() -> None:
    register_reaction({"case.transitioned"}, _on_transition)


def _link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('survey', args=[token])}"


def _why_not(case: Case) -> str:
    if SurveyOptOut.objects.filter(customer_id=case.customer_id).exists():
        return "the customer asked not to be sent surveys"
    if work_problems(Work.SEND_SURVEY, row_facts(case)):
        return "the case is no longer resolved for the customer"
    return ""


def _skip(outreach: SurveyOutreach, why: str, now) -> None:
    outreach.skipped, outreach.next_check_at = why, None
    outreach.save(update_fields=["skipped", "next_check_at"])
    record_event(case=outreach.case, kind="case.survey.skipped", at=now, data={"reason": why})


def _message(case: Case, token: str, *, reminder: bool, channel: str = ""):
    first = "A reminder: we would still like to know" if reminder else "We would like to know"
    return message_send_automatic(
        case=case,
        kind=MessageKind.FOLLOW_UP,
        channel=channel,
        subject=f"How did we do? ({case.reference})",
        body=(
            "Hello {first_name},\n\n"
            f"{first} whether we put things right for you. One question, one minute:\n{_link(token)}\n"
            f"The link works once, for {SURVEY_DAYS} days. Not interested? The page lets you stop these.\n"
        ),
    )


def _send_first(outreach: SurveyOutreach, now) -> None:
    case = outreach.case
    token = secrets.token_urlsafe(32)
    message = _message(case, token, reminder=False)
    if message is None:
        return _skip(outreach, "we have no e-mail address or phone number for the customer", now)
    invitation = SurveyInvitation.objects.create(
        case=case,
        token_hash=_hash(token),
        channel=message.channel,
        recipient=message.address,
        sent_by=None,
        created_at=now,
        expires_at=now + datetime.timedelta(days=SURVEY_DAYS),
    )
    remind_at = now + datetime.timedelta(hours=settings.SURVEY_REMIND_AFTER_HOURS)
    outreach.invitation, outreach.sent_at = invitation, now
    outreach.remind_at = outreach.next_check_at = remind_at
    outreach.save(update_fields=["invitation", "sent_at", "remind_at", "next_check_at"])
    record_event(
        case=case,
        kind="case.survey.sent",
        at=now,
        data={"invitation": invitation.pk, "channel": message.channel, "expires_at": invitation.expires_at,
              "automatic": True, "remind_at": remind_at},
    )  # fmt: skip


def _remind(outreach: SurveyOutreach, now) -> None:
    invitation = outreach.invitation
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        outreach.next_check_at = None  # answered (or gone): nothing more to send
        outreach.save(update_fields=["next_check_at"])
        return
    # Only the hash is stored, so the reminder carries a fresh link; the first one stops working.
    token = secrets.token_urlsafe(32)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(token_hash=_hash(token))
    _message(outreach.case, token, reminder=True, channel=invitation.channel)
    outreach.reminded_at, outreach.next_check_at = now, None
    outreach.save(update_fields=["reminded_at", "next_check_at"])
    record_event(case=outreach.case, kind="case.survey.reminded", at=now, data={"invitation": invitation.pk})


def surveys_send_due(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Send every survey and reminder whose time has come; returns how many outreaches moved."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                SurveyOutreach.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_check_at__lte=now)
                .select_related("case__customer", "case__team", "invitation")
                .order_by("next_check_at", "id")[:batch]
            )
            for outreach in due:
                why = _why_not(outreach.case)
                if why:
                    _skip(outreach, why, now)
                elif outreach.sent_at is None:
                    _send_first(outreach, now)
                else:
                    _remind(outreach, now)
                total += 1
        if len(due) < batch:
            return total


def survey_opt_out(*, token: str) -> None:
    """From the survey page: no more surveys to this customer, by any channel."""
    invitation = survey_find(token)  # SurveyError when the link cannot be used
    with transaction.atomic():
        now = timezone.now()
        SurveyOptOut.objects.get_or_create(customer_id=invitation.case.customer_id, defaults={"at": now})
        SurveyOutreach.objects.filter(case__customer_id=invitation.case.customer_id).exclude(
            next_check_at=None
        ).update(next_check_at=None, skipped="the customer asked not to be sent surveys")
        record_event(case=invitation.case, kind="customer.survey_opt_out", at=now, data={})
