"""Validators for what people type about people: a name must be something a reader can see."""

import unicodedata

from django.core.exceptions import ValidationError

# Embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they reorder the text
# around them, so "Bob" can display as someone else's name, or a reference read backwards.
BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _invisible(ch: str) -> bool:
    # Format characters (zero-width space and joiners, soft hyphen, BOM...) and white space.
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def validate_person_name(value: str) -> None:
    """Refuse a name made only of invisible characters, or carrying direction or control codes.

    Zero-width joiners inside a visible name stay allowed: some scripts need them.
    """
    if any(ch in BIDI_CONTROLS for ch in value):
        raise ValidationError(
            "A name cannot contain text-direction controls (such as U+202E, right-to-left override).",
            code="bidi_control",
        )
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(
            "A name cannot contain control characters (such as tabs, line breaks or NUL).",
            code="control_character",
        )
    if all(_invisible(ch) for ch in value):
        raise ValidationError("Give a name with at least one visible letter.", code="invisible")
