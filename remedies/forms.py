import json

from django import forms
from django.conf import settings

from .models import RemedyKind


def currency_choices():
    return [(code, code) for code in settings.REMEDY_CURRENCIES]


class RemedyForm(forms.Form):
    kind = forms.ModelChoiceField(
        label="Remedy", queryset=RemedyKind.objects.filter(active=True), empty_label="Choose a remedy"
    )
    # A text box, not type=number: the browser must not silently drop what was typed, and the
    # server's message says exactly what is wrong with it.
    amount = forms.DecimalField(
        label="Amount",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"min_value": "The amount cannot be negative."},
    )
    currency = forms.TypedChoiceField(
        label="Currency",
        choices=currency_choices,
        error_messages={"invalid_choice": "Unknown currency %(value)s: pick one from the list."},
    )
    note = forms.CharField(
        label="Note to the customer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you tell them they get, in your words.",
    )
    plus_one = forms.BooleanField(
        label="+1: goes beyond restoring what the customer expected", required=False
    )
    confirmed_customer_total = forms.BooleanField(
        label="I have seen this customer's total and still want to give it", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = settings.DEFAULT_CURRENCY
        # Picking a kind fills in its usual amount (static/js/remedies.js); the agent can change it.
        defaults = {str(k.pk): str(k.default_amount) for k in self.fields["kind"].queryset}
        self.fields["kind"].widget.attrs["data-default-amounts"] = json.dumps(defaults)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.TextInput(),
        error_messages={"required": "Give a reason for the decision: the agent and the case see it."},
    )
