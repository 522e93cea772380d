"""Checks shared by every door that takes a message from a person (the compose form, the API)."""

from django.core.exceptions import ValidationError

# What an e-mail header cannot carry: Django's mail refuses them, so the outbox would retry for ever.
LINE_BREAKS = ("\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def validate_subject_line(value: str) -> None:
    """A subject is one line: a line break would fail at the mail server, long after 'sent'."""
    if any(mark in value for mark in LINE_BREAKS):
        raise ValidationError("Keep the subject on one line: remove the line break.", code="line_break")
