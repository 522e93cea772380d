from django import forms


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your answer", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    # Checked by type, size and content like mail attachments (services._photo_check).
    photo = forms.FileField(label="Add a photo (optional)", required=False)


class SlotForm(forms.Form):
    """A slot is chosen from the times offered (ISO 8601); the service checks it is still free."""

    starts_at = forms.DateTimeField(label="Time")


class CallbackLogForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("made", "Call made"), ("dropped", "Call dropped: book the next attempt")]
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    next_starts_at = forms.DateTimeField(required=False, label="Next attempt (dropped calls)")
