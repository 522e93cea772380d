"""Text messages in: a customer's text lands on their open case (or opens one), STOP and START
change what we may send them, and delivery receipts follow our messages to the handset."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator

from cases import services as case_services
from cases.events import record_event
from cases.models import Case, Channel, Customer, JourneyStage, Product, Severity
from cases.models.case import OPEN_STATUSES
from cases.selectors import can
from cases.workflow import Action
from inbound.services import intake_team
from sla import notify

from ..models import InboundSms, SignedDelivery, SmsOptOut, SmsOutcome
from ..phones import BadNumber, phone_normalise, phone_spellings

# The carriers' and gateways' usual words (Twilio's list, and the CTIA's).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
START_WORDS = frozenset({"START", "UNSTOP", "YES", "OPTIN", "SUBSCRIBE"})


@dataclass(frozen=True)
class SmsIn:
    sid: str
    from_phone: str
    to_phone: str
    body: str


@dataclass(frozen=True)
class SmsReceived:
    sms: InboundSms
    created: bool  # False: this gateway message id was taken before; nothing was done again


def _country() -> str:
    return settings.SMS_DEFAULT_COUNTRY_CODE


def _keyword(body: str) -> str:
    word = "".join(ch for ch in body.strip().upper() if ch.isalnum())
    return word if word in STOP_WORDS | START_WORDS else ""


def delivery_take(*, source: str, delivery: str) -> bool:
    """Note a signed delivery id; False when it was taken before (a replay)."""
    try:
        with transaction.atomic():
            SignedDelivery.objects.create(source=source, delivery_id=delivery, received_at=timezone.now())
    except IntegrityError:
        return False
    return True


def _open_case_of(phone: str) -> Case | None:
    """The customer's newest open case: by the phone on their record, else by an earlier text."""
    spellings = phone_spellings(phone, country_code=_country())
    customers = Customer.objects.filter(phone__in=spellings).values("pk")
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).order_by("-opened_at", "-id")
    case = open_cases.filter(customer__in=customers).first()
    if case is None:
        earlier = InboundSms.objects.filter(from_phone=phone, case__isnull=False).values("case_id")
        case = open_cases.filter(pk__in=earlier).first()
    return case


def sms_receive(*, gateway: str, message: SmsIn) -> SmsReceived:
    """Take one text in. Raises BadNumber for a sender that is no phone number (answer 400)."""
    phone = phone_normalise(message.from_phone, country_code=_country())
    existing = InboundSms.objects.filter(sid=message.sid).first()
    if existing is not None:
        return SmsReceived(sms=existing, created=False)
    keyword = _keyword(message.body)
    now = timezone.now()
    with transaction.atomic():
        case = _open_case_of(phone)
        if keyword:
            outcome = SmsOutcome.OPTED_OUT if keyword in STOP_WORDS else SmsOutcome.OPTED_IN
        else:
            outcome = SmsOutcome.THREADED if case else SmsOutcome.CASE_OPENED
        try:
            with transaction.atomic():  # the unique gateway id decides between two retries at once
                sms = InboundSms.objects.create(
                    sid=message.sid,
                    gateway=gateway,
                    from_phone=phone,
                    to_phone=message.to_phone[:32],
                    body=message.body,
                    outcome=outcome,
                    case=case,
                    received_at=now,
                )
        except IntegrityError:
            return SmsReceived(sms=InboundSms.objects.get(sid=message.sid), created=False)
        if keyword:
            _opt_set(phone=phone, keyword=keyword, out=keyword in STOP_WORDS, case=case, sms=sms, at=now)
        elif case is None:
            sms.case = _open_case(phone=phone, body=message.body)
            sms.save(update_fields=["case"])
        else:
            _add_reply(case=case, sms=sms)
    return SmsReceived(sms=sms, created=True)


def _open_case(*, phone: str, body: str) -> Case:
    customer = Customer.objects.filter(phone__in=phone_spellings(phone, country_code=_country())).first()
    if customer is None:
        customer = case_services.customer_find_or_create(name=phone, phone=phone)
    product, _ = Product.objects.get_or_create(name=settings.SMS_PRODUCT)
    first_line = body.strip().splitlines()[0] if body.strip() else "(no text)"
    # A text conversation is live: the chat channel's first-minute clock answers it.
    return case_services.case_open(
        actor=None,
        customer=customer,
        channel=Channel.CHAT,
        summary=Truncator(f"Text from {phone}: {first_line}").chars(200),
        description=body,
        product=product,
        journey_stage=JourneyStage.AFTER_SALES,
        severity=Severity.MEDIUM,
        team=intake_team(),
        source="sms",
    )


def _add_reply(*, case: Case, sms: InboundSms) -> None:
    case = Case.objects.select_for_update().get(pk=case.pk)  # an agent may be moving it right now
    record_event(
        case=case,
        kind="sms.received",
        data={"from": sms.from_phone, "text": sms.body or "(no text)", "inbound_sms": sms.pk},
        at=sms.received_at,
    )
    if can(case, Action.CUSTOMER_REPLIED):  # a reply while we wait on them resumes the case
        case_services.case_transition(case=case, action=Action.CUSTOMER_REPLIED, actor=None)


def _opt_set(*, phone: str, keyword: str, out: bool, case: Case | None, sms: InboundSms, at) -> None:
    SmsOptOut.objects.update_or_create(
        phone=phone, defaults={"opted_out": out, "keyword": keyword, "changed_at": at}
    )
    if case is not None:
        record_event(
            case=case,
            kind="sms.opted_out" if out else "sms.opted_in",
            data={"from": phone, "keyword": keyword, "inbound_sms": sms.pk},
            at=at,
        )


def sms_opt_out_reason(phone: str) -> str:
    """Why no SMS may go to this number, or "": the outbox asks before every SMS attempt."""
    try:
        e164 = phone_normalise(phone, country_code=_country())
    except BadNumber:
        return ""
    row = SmsOptOut.objects.filter(phone=e164, opted_out=True).first()
    if row is None:
        return ""
    return (
        f"{e164} opted out by texting {row.keyword} on {timezone.localtime(row.changed_at):%d %b %Y %H:%M}."
    )


RECEIPT_STATES = frozenset(
    {
        "accepted",
        "queued",
        "sending",
        "sent",
        "delivered",
        "read",
        "failed",
        "undelivered",
        "rejected",
        "expired",
    }
)


def sms_receipt(*, gateway_id: str, state: str, error: str = "") -> bool:
    """A delivery receipt for a message we sent; True when it changed the message's state."""
    with transaction.atomic():
        row = notify.sms_receipt_record(
            gateway_id=gateway_id, state=state, error=error[:100], at=timezone.now()
        )
        if row is None:
            return False
        if state in notify.GATEWAY_FAILED and row.case_id is not None:
            record_event(
                case=Case.objects.select_for_update().get(pk=row.case_id),
                kind="sms.undelivered",
                data={"notification": row.pk, "state": state, "error": error[:100], "to": row.address},
            )
    return True
