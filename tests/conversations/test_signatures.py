"""The two signature schemes, as pure functions."""

import datetime

import pytest

from conversations.signatures import Unsigned, hmac_check, hmac_headers, twilio_check, twilio_signature

NOW = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=datetime.UTC)
# The worked example in Twilio's "Webhooks security" guide (auth token 12345).
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {
    "CallSid": ["CA1234567890ABCDE"],
    "Caller": ["+12349013030"],
    "Digits": ["1234"],
    "From": ["+12349013030"],
    "To": ["+18005551212"],
}


def test_it_matches_twilios_published_example():
    assert (
        twilio_signature(url=TWILIO_URL, params=TWILIO_PARAMS, token="12345")
        == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )


def test_it_refuses_a_tampered_parameter_another_url_or_no_signature():
    good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    with pytest.raises(Unsigned):
        twilio_check(
            url=TWILIO_URL, params=TWILIO_PARAMS | {"Digits": ["9999"]}, token="12345", signature=good
        )
    with pytest.raises(Unsigned):
        twilio_check(
            url=TWILIO_URL.replace("bar=2", "bar=3"), params=TWILIO_PARAMS, token="12345", signature=good
        )
    with pytest.raises(Unsigned):
        twilio_check(url=TWILIO_URL, params=TWILIO_PARAMS, token="12345", signature="")
    twilio_check(url=TWILIO_URL, params=TWILIO_PARAMS, token="12345", signature=good)


def test_the_hmac_scheme_signs_timestamp_delivery_and_body():
    headers = hmac_headers(secret="s", body=b'{"a":1}', delivery="d-1", now=NOW)
    assert hmac_check(secret="s", headers=headers, body=b'{"a":1}', now=NOW).delivery == "d-1"
    with pytest.raises(Unsigned):
        hmac_check(secret="s", headers=headers, body=b'{"a":2}', now=NOW)
    with pytest.raises(Unsigned):
        hmac_check(secret="s", headers=headers | {"X-Recovery-Delivery": "d-2"}, body=b'{"a":1}', now=NOW)
    with pytest.raises(Unsigned):
        hmac_check(secret="other", headers=headers, body=b'{"a":1}', now=NOW)


def test_the_hmac_scheme_refuses_a_timestamp_more_than_five_minutes_away():
    headers = hmac_headers(secret="s", body=b"", delivery="d", now=NOW)
    hmac_check(secret="s", headers=headers, body=b"", now=NOW + datetime.timedelta(minutes=5))
    with pytest.raises(Unsigned, match="stale"):
        hmac_check(secret="s", headers=headers, body=b"", now=NOW + datetime.timedelta(minutes=5, seconds=1))
    with pytest.raises(Unsigned, match="stale"):
        hmac_check(secret="s", headers=headers, body=b"", now=NOW - datetime.timedelta(minutes=6))
