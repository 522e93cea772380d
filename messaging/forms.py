from django import forms

from sla.models import NotificationChannel

from .models import MessageKind, MessageTemplate
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


class ReplyForm(forms.Form):
    """The case page's one composer: a public reply to the customer, or an internal note."""

    PUBLIC, INTERNAL = "public", "internal"

    visibility = forms.ChoiceField(
        label="Reply as",
        choices=[(PUBLIC, "Public reply to the customer"), (INTERNAL, "Internal note")],
        initial=PUBLIC,
        widget=forms.RadioSelect,
    )
    template = forms.ModelChoiceField(
        label="Start from",
        queryset=MessageTemplate.objects.filter(active=True).exclude(kind=MessageKind.ACKNOWLEDGEMENT),
        required=False,
        empty_label="Free text",
    )
    channel = MessageForm.base_fields["channel"]
    subject = MessageForm.base_fields["subject"]
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Write the message: it is empty."},
        help_text="Placeholders: {first_name} {reference} {owner} {product} {promised_time}",
    )
    what = MessageForm.base_fields["what"]
    due_at = MessageForm.base_fields["due_at"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reply-%s")  # one page holds several forms: ids of its own
        super().__init__(*args, **kwargs)

    @property
    def kind(self) -> str:
        template = self.cleaned_data.get("template")
        return template.kind if template else MessageKind.FREE
