"""Satisfaction surveys: a link the customer opens without logging in, usable once, expiring.

The token is random and only its SHA-256 is stored, so the link cannot be forged, guessed
from the database, or replayed once answered.
"""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.events import record_event
from cases.models import Case
from cases.permissions import require_work
from cases.selectors import row_facts
from cases.workflow import Work, work_problems

from ..models import SurveyChannel, SurveyInvitation, SurveyResponse
from .followup import recovery_follow_up_open

SURVEY_DAYS = 14
LOW_SCORE = 2


class SurveyError(Exception):
    """The link cannot be used; the message is safe to show to the customer."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_send(*, case: Case, actor, channel: str) -> tuple[SurveyInvitation, str]:
    """Create an invitation and return it with the raw token (shown or sent once, never stored)."""
    if channel not in SurveyChannel.values:
        raise ValidationError({"channel": f"Unknown channel {channel!r}."})
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("customer").get(pk=case.pk)
        require_work(actor, case)
        if problems := work_problems(Work.SEND_SURVEY, row_facts(case)):
            raise ValidationError(problems)
        recipient = case.customer.email if channel == SurveyChannel.EMAIL else case.customer.phone
        if not recipient:
            what = "e-mail address" if channel == SurveyChannel.EMAIL else "phone number"
            raise ValidationError({"channel": f"The customer has no {what}."})
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = SurveyInvitation.objects.create(
            case=case,
            token_hash=_hash(token),
            channel=channel,
            recipient=recipient,
            sent_by=actor,
            created_at=now,
            expires_at=now + datetime.timedelta(days=SURVEY_DAYS),
        )
        record_event(
            case=case,
            kind="case.survey.sent",
            actor=actor,
            at=now,
            data={"invitation": invitation.pk, "channel": channel, "expires_at": invitation.expires_at},
        )
    return invitation, token


def survey_find(token: str) -> SurveyInvitation:
    """The usable invitation behind a token, or SurveyError saying why it cannot be used."""
    invitation = SurveyInvitation.objects.select_related("case").filter(token_hash=_hash(token or "")).first()
    if invitation is None:
        raise SurveyError("This survey link is not valid. Please check it was copied in full.")
    if invitation.used_at is not None:
        raise SurveyError("This survey has already been answered. Thank you!")
    if invitation.expires_at <= timezone.now():
        raise SurveyError("This survey link has expired.")
    return invitation


def survey_answer(*, token: str, score: int, comment: str = "") -> SurveyResponse:
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": "Choose a score from 1 to 5."})
    with transaction.atomic():
        invitation = survey_find(token)
        now = timezone.now()
        # Compare-and-set: of two submissions racing, only one finds the link unused.
        claimed = SurveyInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now)
        if not claimed:
            raise SurveyError("This survey has already been answered. Thank you!")
        case = invitation.case
        response = SurveyResponse.objects.create(
            invitation=invitation, case=case, score=score, comment=comment.strip(), answered_at=now
        )
        record_event(
            case=case,
            kind="case.survey.answered",
            actor=None,
            at=now,
            data={"invitation": invitation.pk, "score": score, "comment": response.comment},
        )
        if score <= LOW_SCORE:
            recovery_follow_up_open(
                case=case,
                actor=None,
                trigger="survey",
                reason=f"Survey score {score}/5. {response.comment}".strip(),
            )
    return response
