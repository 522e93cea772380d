from django import forms

from sla.models import NotificationChannel

from .models import MessageKind
from .validators import validate_subject_line

SENDABLE = [(value, label) for value, label in MessageKind.choices if value != MessageKind.ACKNOWLEDGEMENT]


class MessageForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of message", choices=SENDABLE)
    channel = forms.ChoiceField(
        label="Send by",
        required=False,
        choices=[
            ("", "The customer's channel"),
            *[c for c in NotificationChannel.choices if c[0] != "in_app"],
        ],
    )
    subject = forms.CharField(
        label="Subject", max_length=200, required=False, validators=[validate_subject_line]
    )
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=5000,
        error_messages={"required": "Write the message: it is empty."},
        help_text="Placeholders: {first_name} {reference} {owner} {product} {promised_time}",
    )
    what = forms.CharField(
        label="What we promise", max_length=200, required=False, help_text="Only for an expectation message."
    )
    due_at = forms.DateTimeField(
        label="Promised by",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Only for an expectation message; shown to the customer in the team's time zone.",
    )
