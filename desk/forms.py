from django import forms

from messaging.models import MessageKind, MessageTemplate
from remedies.models import RemedyKind

from .models import Macro


class MacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = [
            "name", "description", "message_template", "remedy_kind", "remedy_amount", "remedy_currency",
            "remedy_note", "promise_what", "promise_hours", "note", "active", "position",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message_template"].queryset = MessageTemplate.objects.filter(active=True).exclude(
            kind=MessageKind.ACKNOWLEDGEMENT
        )
        self.fields["remedy_kind"].queryset = RemedyKind.objects.filter(active=True)

    def clean(self):
        data = super().clean()
        if data.get("remedy_kind") and data.get("remedy_amount") is None:
            self.add_error("remedy_amount", "Give the remedy's amount.")
        if data.get("promise_what") and not data.get("promise_hours"):
            self.add_error("promise_hours", "Say within how many hours the promise is kept.")
        template = data.get("message_template")
        if template and template.kind == MessageKind.EXPECTATION and not data.get("promise_what"):
            self.add_error("promise_what", "An expectation message needs the promise it makes.")
        if not any(data.get(f) for f in ("message_template", "remedy_kind", "promise_what", "note")):
            raise forms.ValidationError("Give the macro at least one step.")
        return data
