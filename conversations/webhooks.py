"""The doors in: the SMS gateway's webhook and the monitors' mention intake.

Order matters and is the same for both: check the signature on the raw body (401 writes
nothing), take the delivery id (a replay answers 409 and writes nothing), validate the payload
(400 with field errors), then hand it to a service, which commits before we answer.
"""

import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Monitor, Platform, Scheme, SmsGateway
from .phones import BadNumber
from .services import MentionIn, SmsIn, mention_receive, sms_receipt, sms_receive
from .services.sms import RECEIPT_STATES, delivery_take
from .signatures import Unsigned, hmac_check, twilio_check

MAX_BODY = 64 * 1024
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _refused(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _invalid(errors: dict) -> JsonResponse:
    return JsonResponse({"detail": "The payload is not valid.", "errors": errors}, status=400)


def _gateway(name: str) -> SmsGateway | None:
    row = SmsGateway.objects.filter(name=name, active=True).first()
    if row is not None:
        return row
    from_env = {
        "twilio": (Scheme.TWILIO, settings.SMS_WEBHOOK_TWILIO_TOKEN),
        "hmac": (Scheme.HMAC, settings.SMS_WEBHOOK_HMAC_SECRET),
    }
    scheme, secret = from_env.get(name, ("", ""))
    return SmsGateway(name=name, scheme=scheme, secret=secret) if secret else None


def _signed_url(request) -> str:
    """The URL Twilio called and signed: behind a proxy, the public one we were configured with."""
    if settings.SMS_WEBHOOK_BASE_URL:
        return settings.SMS_WEBHOOK_BASE_URL + request.get_full_path()
    return request.build_absolute_uri()


@csrf_exempt
@require_POST
def sms_webhook(request, gateway: str):
    if len(request.body) > MAX_BODY:
        return _refused(413, "The request is too large.")
    row = _gateway(gateway)
    if row is None:
        return _refused(404, "No such SMS gateway.")
    if row.scheme == Scheme.TWILIO:
        return _twilio(request, row)
    return _generic_sms(request, row)


def _twilio(request, gateway: SmsGateway):
    params = {name: request.POST.getlist(name) for name in request.POST}
    try:
        twilio_check(
            url=_signed_url(request),
            params=params,
            token=gateway.secret,
            signature=request.headers.get("X-Twilio-Signature", ""),
        )
    except Unsigned as exc:
        return _refused(401, str(exc))
    # Twilio retries a delivery it saw fail; its MessageSid makes the retry harmless.
    fields = {name: values[-1] for name, values in params.items()}
    sid = fields.get("MessageSid") or fields.get("SmsSid", "")
    if "Body" not in fields and fields.get("MessageStatus"):
        return _receipt(
            gateway_id=sid, state=fields["MessageStatus"], error=fields.get("ErrorCode", ""), twiml=True
        )
    return _message(
        gateway=gateway,
        payload={
            "id": sid,
            "from": fields.get("From", ""),
            "to": fields.get("To", ""),
            "text": fields.get("Body"),
        },
        twiml=True,
    )


def _generic_sms(request, gateway: SmsGateway):
    try:
        signed = hmac_check(
            secret=gateway.secret, headers=request.headers, body=request.body, now=timezone.now()
        )
    except Unsigned as exc:
        return _refused(401, str(exc))
    payload, errors = _json(request.body)
    if errors:
        return _invalid(errors)
    kind = payload.get("type")
    if kind not in ("message", "receipt"):
        return _invalid({"type": ['Give "message" or "receipt".']})
    with transaction.atomic():
        if not delivery_take(source=f"sms:{gateway.name}", delivery=signed.delivery):
            return _refused(409, f"Delivery {signed.delivery} was taken already.")
        if kind == "receipt":
            response = _receipt(
                gateway_id=str(payload.get("id") or ""),
                state=str(payload.get("status") or ""),
                error=str(payload.get("error") or ""),
            )
        else:
            response = _message(gateway=gateway, payload=payload)
        if response.status_code >= 400:
            transaction.set_rollback(True)  # a refused payload leaves its delivery id usable
    return response


def _json(body: bytes) -> tuple[dict, dict]:
    try:
        payload = json.loads(body)
    except ValueError:
        return {}, {"non_field_errors": ["The body is not JSON."]}
    if not isinstance(payload, dict):
        return {}, {"non_field_errors": ["The body must be a JSON object."]}
    return payload, {}


def _text(payload: dict, name: str, errors: dict, *, limit: int, required: bool = True) -> str:
    value = payload.get(name)
    if value is None or (required and value == ""):
        if required:
            errors[name] = ["This field is required."]
        return ""
    if not isinstance(value, str):
        errors[name] = ["Give a string."]
        return ""
    if len(value) > limit:
        errors[name] = [f"At most {limit} characters."]
    if "\x00" in value:
        errors[name] = ["Null characters are not allowed."]
    return value


def _message(*, gateway: SmsGateway, payload: dict, twiml: bool = False):
    errors: dict = {}
    sid = _text(payload, "id", errors, limit=64)
    sender = _text(payload, "from", errors, limit=32)
    to = _text(payload, "to", errors, limit=32, required=False)
    text = _text(payload, "text", errors, limit=1600, required=False)
    if payload.get("text") is None:
        errors["text"] = ["This field is required."]
    if errors:
        return _invalid(errors)
    try:
        received = sms_receive(
            gateway=gateway.name, message=SmsIn(sid=sid, from_phone=sender, to_phone=to, body=text)
        )
    except BadNumber as exc:
        return _invalid({"from": [str(exc)]})
    if twiml:
        return HttpResponse(TWIML_EMPTY, content_type="text/xml")
    sms = received.sms
    body = {"id": sms.sid, "outcome": sms.outcome, "case": sms.case.reference if sms.case else None}
    return JsonResponse(body, status=201 if received.created else 200)


def _receipt(*, gateway_id: str, state: str, error: str, twiml: bool = False):
    errors = {}
    if not gateway_id:
        errors["id"] = ["This field is required."]
    if state.lower() not in RECEIPT_STATES:
        errors["status"] = ["One of " + ", ".join(sorted(RECEIPT_STATES)) + "."]
    if errors:
        return _invalid(errors)
    changed = sms_receipt(gateway_id=gateway_id[:64], state=state.lower(), error=error)
    if twiml:
        return HttpResponse(TWIML_EMPTY, content_type="text/xml")
    return JsonResponse({"id": gateway_id, "status": state.lower(), "changed": changed})


# ---- the monitors ---------------------------------------------------------------------------------


def monitor_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _monitor(request) -> Monitor | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return Monitor.objects.filter(token_hash=monitor_token_hash(token.strip()), active=True).first()


def _mention_in(payload: dict) -> tuple[MentionIn | None, dict]:
    errors: dict = {}
    platform = _text(payload, "platform", errors, limit=20)
    if platform and platform not in Platform.values:
        errors["platform"] = ["One of " + ", ".join(Platform.values) + "."]
    post_id = _text(payload, "post_id", errors, limit=200)
    url = _text(payload, "url", errors, limit=500)
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = ["Give the post's http(s) URL."]
    handle = _text(payload, "author_handle", errors, limit=100)
    text = _text(payload, "text", errors, limit=10000)
    rating = payload.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5
    ):
        errors["rating"] = ["A whole number from 1 to 5, or null."]
    posted_raw = _text(payload, "posted_at", errors, limit=40)
    posted_at = None
    if posted_raw:
        try:
            posted_at = parse_datetime(posted_raw)
        except ValueError:
            posted_at = None
        if posted_at is None or posted_at.tzinfo is None:
            errors["posted_at"] = [
                "An ISO 8601 date and time with its offset, e.g. 2026-12-02T09:30:00+00:00."
            ]
    if errors:
        return None, errors
    return MentionIn(
        platform=platform,
        post_id=post_id,
        url=url,
        author_handle=handle,
        text=text,
        rating=rating,
        posted_at=posted_at,
    ), {}


@csrf_exempt
@require_POST
def mention_intake(request):
    if len(request.body) > MAX_BODY:
        return _refused(413, "The request is too large.")
    monitor = _monitor(request)
    if monitor is None:
        return _refused(401, "Give the monitor's token: Authorization: Bearer <token>.")
    try:
        signed = hmac_check(
            secret=monitor.secret, headers=request.headers, body=request.body, now=timezone.now()
        )
    except Unsigned as exc:
        return _refused(401, str(exc))
    payload, errors = _json(request.body)
    mention, more = _mention_in(payload) if not errors else (None, {})
    if errors or more:
        return _invalid(errors or more)
    with transaction.atomic():
        if not delivery_take(source=f"mentions:{monitor.pk}", delivery=signed.delivery):
            return _refused(409, f"Delivery {signed.delivery} was taken already.")
        stored, outcome = mention_receive(monitor=monitor, mention=mention)
    body = {"mention": stored.pk, "case": stored.case.reference, "outcome": outcome}
    return JsonResponse(body, status=201 if outcome in ("case_opened", "threaded") else 200)
