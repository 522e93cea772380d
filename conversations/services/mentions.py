"""Public posts and reviews: the world is watching, so they open live cases.

A mention opens a case on the live first-minute clock, or lands on the author's open case on the
same platform; the same post again is a duplicate, and an edited one (a new rating) an update on
its case. The agent answers in public, then takes the customer somewhere private.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator

from cases import services as case_services
from cases.events import record_event
from cases.models import Case, Channel, JourneyStage, Product, Severity
from cases.models.case import OPEN_STATUSES
from cases.permissions import require_work
from cases.selectors import can
from cases.workflow import Action
from inbound.services import intake_team
from sla.models import Policy, PolicyKind
from sla.policies import live_policy, policy_install

from ..models import REVIEW_SITES, Mention, Monitor, PublicCase

PRIVATE_CHANNELS = {"sms": "SMS", "email": "E-mail", "phone": "Phone", "direct_message": "Direct message"}


@dataclass(frozen=True)
class MentionIn:
    platform: str
    post_id: str
    url: str
    author_handle: str
    text: str
    rating: int | None
    posted_at: datetime


class Outcome:
    CASE_OPENED = "case_opened"
    THREADED = "threaded"
    UPDATED = "updated"
    DUPLICATE = "duplicate"


def _channel_for(platform: str) -> str:
    return Channel.REVIEW_SITE if platform in REVIEW_SITES else Channel.SOCIAL_MEDIA


def _live_policy_ensure(channel: str) -> None:
    """Public channels get the live first-minute clock unless someone set a policy for them."""
    if not Policy.objects.filter(kind=PolicyKind.OPERATIONAL, channel=channel, active=True).exists():
        policy_install(live_policy(channel, Channel(channel).label.lower()))


def _data(mention: MentionIn) -> dict:
    return {
        "platform": mention.platform,
        "post_id": mention.post_id,
        "url": mention.url,
        "author": mention.author_handle,
        "text": mention.text,
        "rating": mention.rating,
        "posted_at": mention.posted_at.isoformat(),
    }


def mention_receive(*, monitor: Monitor, mention: MentionIn) -> tuple[Mention, str]:
    """Take one post or review in; returns the stored mention and what became of it."""
    try:
        with transaction.atomic():
            return _receive(monitor=monitor, mention=mention)
    except IntegrityError:
        # The same post from two retries at once: the unique (platform, post id) let one in.
        stored = Mention.objects.get(platform=mention.platform, post_id=mention.post_id)
        return stored, Outcome.DUPLICATE


def _receive(*, monitor: Monitor, mention: MentionIn) -> tuple[Mention, str]:
    now = timezone.now()
    existing = (
        Mention.objects.select_for_update()
        .filter(platform=mention.platform, post_id=mention.post_id)
        .select_related("case")
        .first()
    )
    if existing is not None:
        return existing, _update(existing=existing, mention=mention, at=now)
    thread = (
        PublicCase.objects.select_related("case")
        .filter(
            platform=mention.platform,
            author_handle__iexact=mention.author_handle,
            case__status__in=OPEN_STATUSES,
        )
        .order_by("-case__opened_at", "-case_id")
        .first()
    )
    if thread is not None:
        case = Case.objects.select_for_update().get(pk=thread.case_id)
        record_event(case=case, kind="public.mention", data=_data(mention), at=now)
        if mention.rating is not None:
            PublicCase.objects.filter(pk=thread.pk).update(rating=mention.rating)
        if can(case, Action.CUSTOMER_REPLIED):
            case_services.case_transition(case=case, action=Action.CUSTOMER_REPLIED, actor=None)
        outcome = Outcome.THREADED
    else:
        case = _open_case(mention)
        outcome = Outcome.CASE_OPENED
    stored = Mention.objects.create(
        monitor=monitor,
        platform=mention.platform,
        post_id=mention.post_id,
        url=mention.url,
        author_handle=mention.author_handle,
        text=mention.text,
        rating=mention.rating,
        posted_at=mention.posted_at,
        case=case,
        received_at=now,
        updated_at=now,
    )
    return stored, outcome


def _open_case(mention: MentionIn) -> Case:
    channel = _channel_for(mention.platform)
    _live_policy_ensure(channel)
    customer = case_services.customer_find_or_create(
        name=mention.author_handle,
        source=mention.platform,
        external_id=mention.author_handle.lower(),
    )
    product, _ = Product.objects.get_or_create(name=settings.MENTIONS_PRODUCT)
    low = mention.rating is not None and mention.rating <= 2
    case = case_services.case_open(
        actor=None,
        customer=customer,
        channel=channel,
        summary=Truncator(f"{mention.author_handle} on {mention.platform}: {mention.text}").chars(200),
        description=mention.text,
        product=product,
        journey_stage=JourneyStage.AFTER_SALES,
        severity=Severity.HIGH if low else Severity.MEDIUM,
        team=intake_team(),
        source_reference=mention.url,
        opened_at=timezone.now(),
    )
    PublicCase.objects.create(
        case=case,
        platform=mention.platform,
        author_handle=mention.author_handle,
        url=mention.url,
        first_rating=mention.rating,
        rating=mention.rating,
    )
    record_event(case=case, kind="public.posted", data=_data(mention))
    return case


def _update(*, existing: Mention, mention: MentionIn, at: datetime) -> str:
    if (existing.text, existing.rating) == (mention.text, mention.rating):
        return Outcome.DUPLICATE
    before = existing.rating
    existing.text, existing.rating, existing.updated_at = mention.text, mention.rating, at
    existing.save(update_fields=["text", "rating", "updated_at"])
    case = Case.objects.select_for_update().get(pk=existing.case_id)
    if mention.rating is not None:
        PublicCase.objects.filter(case=case).update(rating=mention.rating)
    record_event(case=case, kind="public.updated", data={**_data(mention), "rating_before": before}, at=at)
    return Outcome.UPDATED


def public_reply_record(
    *, case: Case, actor, text: str, link: str, private_channel: str, expected_version: int | None = None
) -> PublicCase:
    """The agent answered in public (text and link) and took the customer to a private channel.

    The public answer is the apology: on a new case it records the first response."""
    text = text.replace("\r\n", "\n").strip()
    errors = {}
    if not text:
        errors["text"] = "Write what was posted in public."
    try:
        URLValidator(schemes=["https"])(link)
    except ValidationError:
        errors["link"] = "Give the https link to the public reply."
    if private_channel not in PRIVATE_CHANNELS:
        errors["private_channel"] = (
            "Choose where the conversation goes on: " + ", ".join(PRIVATE_CHANNELS) + "."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_work(actor, case)
        public = PublicCase.objects.select_for_update().filter(case=case).first()
        if public is None:
            raise ValidationError({"text": "This case did not come from a public post."})
        now = timezone.now()
        public.reply_text, public.reply_link, public.replied_at = text, link, now
        public.rating_at_reply, public.private_channel = public.rating, private_channel
        public.save(
            update_fields=["reply_text", "reply_link", "replied_at", "rating_at_reply", "private_channel"]
        )
        record_event(
            case=case,
            kind="public.replied",
            actor=actor,
            at=now,
            data={"text": text, "link": link, "private_channel": private_channel, "rating": public.rating},
        )
        if can(case, Action.RESPOND, user=actor):
            case_services.case_transition(
                case=case,
                action=Action.RESPOND,
                actor=actor,
                data={"message": text},
                expected_version=expected_version,
            )
    return public
