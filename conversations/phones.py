"""Phone numbers as one spelling (E.164), so "07700 900123", "+44 7700-900123" and
"00447700900123" are the same customer. Pure: no ORM."""

import re

_DIGITS = re.compile(r"\d")


class BadNumber(ValueError):
    pass


def phone_normalise(raw: str, *, country_code: str) -> str:
    text = (raw or "").strip()
    digits = "".join(_DIGITS.findall(text))
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("0"):
        number = country_code + digits[1:]  # a national number: our country's
    else:
        number = digits
    if not 7 <= len(number) <= 15:
        raise BadNumber(f"{raw!r} is not a phone number.")
    return "+" + number


def phone_spellings(e164: str, *, country_code: str) -> list[str]:
    """How a customer's phone may have been typed in, for an exact (indexed) lookup."""
    national = e164[1:]
    spellings = [e164, national, "00" + national]
    if national.startswith(country_code):
        local = "0" + national[len(country_code) :]
        rest = local[1:]
        spellings += [
            local,
            f"{local[:5]} {local[5:]}",
            f"+{country_code} {rest}",
            f"+{country_code} {rest[:4]} {rest[4:]}",
        ]
    return spellings
