"""Checking who signed a webhook: pure functions, no ORM.

- Twilio's request signature: HMAC-SHA1, keyed with the account's auth token, of the full URL
  Twilio called followed by each POST parameter's name and value, names sorted; base64, in the
  `X-Twilio-Signature` header. (Twilio's documented algorithm, written out here: 15 lines are
  less to keep than its SDK.)
- Our generic scheme, for any other gateway and for the monitors: HMAC-SHA256 of
  "<timestamp>.<delivery id>.<raw body>", hex, in `X-Recovery-Signature: sha256=<hex>`, with
  `X-Recovery-Timestamp` (Unix seconds) and `X-Recovery-Delivery`. A timestamp more than
  TOLERANCE from our clock is stale; the delivery id is what a replay repeats.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

TOLERANCE_SECONDS = 300


class Unsigned(Exception):
    """No signature, a wrong one, or a stale one: answer 401."""


def twilio_signature(*, url: str, params: dict[str, list[str]], token: str) -> str:
    data = url + "".join(name + value for name in sorted(params) for value in params[name])
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_check(*, url: str, params: dict[str, list[str]], token: str, signature: str) -> None:
    if not signature or not token:
        raise Unsigned("No X-Twilio-Signature.")
    if not hmac.compare_digest(twilio_signature(url=url, params=params, token=token), signature):
        raise Unsigned("The X-Twilio-Signature does not match.")


def hmac_signature(*, secret: str, timestamp: str, delivery: str, body: bytes) -> str:
    message = f"{timestamp}.{delivery}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Signed:
    delivery: str


def hmac_check(*, secret: str, headers, body: bytes, now: datetime) -> Signed:
    """The delivery id of a correctly signed, fresh request; Unsigned otherwise."""
    signature = headers.get("X-Recovery-Signature", "")
    timestamp = headers.get("X-Recovery-Timestamp", "")
    delivery = headers.get("X-Recovery-Delivery", "")
    if not (signature and timestamp and delivery and secret):
        raise Unsigned("Sign the request: X-Recovery-Signature, X-Recovery-Timestamp, X-Recovery-Delivery.")
    if len(delivery) > 100:
        raise Unsigned("X-Recovery-Delivery is longer than 100 characters.")
    try:
        sent = int(timestamp)
    except ValueError:
        raise Unsigned("X-Recovery-Timestamp is not Unix seconds.") from None
    if abs(now.timestamp() - sent) > TOLERANCE_SECONDS:
        raise Unsigned("The request is stale: its timestamp is more than 5 minutes from ours.")
    expected = hmac_signature(secret=secret, timestamp=timestamp, delivery=delivery, body=body)
    if not hmac.compare_digest(expected, signature):
        raise Unsigned("The X-Recovery-Signature does not match.")
    return Signed(delivery=delivery)


def hmac_headers(*, secret: str, body: bytes, delivery: str, now: datetime) -> dict[str, str]:
    """What a sender adds: used by the fake monitor in the tests and the bench."""
    timestamp = str(int(now.timestamp()))
    return {
        "X-Recovery-Timestamp": timestamp,
        "X-Recovery-Delivery": delivery,
        "X-Recovery-Signature": hmac_signature(
            secret=secret, timestamp=timestamp, delivery=delivery, body=body
        ),
    }
