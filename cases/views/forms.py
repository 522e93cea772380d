"""Browser forms. They validate input; the services decide what is allowed."""

import datetime

from django import forms
from django.utils import timezone

from accounts.models import Team, User

from ..models import (
    Channel,
    Customer,
    DifferentAnswer,
    JourneyStage,
    Product,
    RootCause,
    Severity,
    WhatAnswer,
    WhyAnswer,
)
from ..validators import validate_person_name


class IntakeForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(), required=False, widget=forms.HiddenInput
    )
    customer_name = forms.CharField(
        max_length=200, required=False, label="Name", validators=[validate_person_name]
    )
    customer_email = forms.EmailField(required=False, label="E-mail")
    customer_phone = forms.RegexField(
        regex=r"^\+?[0-9 ()-]{6,20}$",
        required=False,
        label="Phone",
        error_messages={"invalid": "Enter a phone number: digits, spaces, + ( ) - only."},
    )
    channel = forms.ChoiceField(choices=Channel.choices)
    summary = forms.CharField(max_length=200, label="What went wrong, in one line")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000)
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True), label="Product or service")
    # No silent default: the stage is what the agent heard, so an empty choice comes first.
    journey_stage = forms.ChoiceField(
        choices=[("", "Choose the point…"), *JourneyStage.choices],
        label="Point in the journey",
        error_messages={"required": "Choose the point in the journey where it went wrong."},
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    source_reference = forms.CharField(
        max_length=500, required=False, label="Order number, review link or call id"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.all())
    # When the typed e-mail or phone is someone's we know: "new" or that customer's id.
    match = forms.CharField(required=False, widget=forms.HiddenInput)
    apologise = forms.BooleanField(
        required=False, label="Apologise now: send the apology to the customer with the opening"
    )
    macro = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.sees_all_teams:
            self.fields["team"].queryset = user.teams.all()
        teams = list(self.fields["team"].queryset[:2])
        if len(teams) == 1:
            self.fields["team"].initial = teams[0]

    def clean(self):
        data = super().clean()
        picked = data.get("customer")
        if picked:
            if data.get("apologise") and not (picked.email or picked.phone):
                self.add_error("apologise", f"{picked} has no e-mail or phone to send the apology to.")
            return data
        contact_errors = {"customer_email", "customer_phone"} & set(self.errors)
        if not (data.get("customer_name") or "").strip():
            self.add_error("customer_name", "Pick a customer, or give a name to create one.")
        elif not (data.get("customer_email") or data.get("customer_phone")) and not contact_errors:
            # A follow-up needs a way back to the customer.
            self.add_error("customer_email", "Give an e-mail or a phone number so we can reach them.")
        return data

    def full_clean(self):
        super().full_clean()
        # Each error is read with its field: a screen reader hears it when the field is focused.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
                self.fields[name].widget.attrs["aria-invalid"] = "true"


TRISTATE_WIDGET = forms.RadioSelect


class AnswerForm(forms.ModelForm):
    """Answers may be left open while drafting; radio buttons show no empty '---------' choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.choices = [(value, label) for value, label in field.choices if value != ""]


class WhatForm(AnswerForm):
    class Meta:
        model = WhatAnswer
        exclude = ["case", "updated_at"]
        widgets = {
            "complaint": forms.Textarea(attrs={"rows": 3}),
            "prior_attempts": forms.Textarea(attrs={"rows": 2}),
            "our_answer": forms.Textarea(attrs={"rows": 2}),
            "why_not_enough": forms.Textarea(attrs={"rows": 2}),
            "scope": forms.RadioSelect,
            "tried_before": forms.RadioSelect,
        }


class WhyForm(AnswerForm):
    class Meta:
        model = WhyAnswer
        exclude = ["case", "updated_at"]
        widgets = {
            "explanation": forms.Textarea(attrs={"rows": 3}),
            "staff_consulted": forms.Textarea(attrs={"rows": 2}),
            "origin": forms.RadioSelect,
            **dict.fromkeys(
                (
                    "expectations_set",
                    "checked_in",
                    "responded_at_once",
                    "verified_before_delivery",
                    "met_expectations_after",
                    "over_promised",
                    "below_market",
                ),
                TRISTATE_WIDGET,
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].queryset = RootCause.objects.filter(
            active=True, parent__isnull=False
        ).select_related("parent")


class DifferentForm(AnswerForm):
    class Meta:
        model = DifferentAnswer
        exclude = ["case", "updated_at"]
        widgets = {
            "process_at_fault": forms.Textarea(attrs={"rows": 2}),
            "endemic": forms.Textarea(attrs={"rows": 2}),
            "next_time": forms.Textarea(attrs={"rows": 2}),
            "no_change_reason": forms.Textarea(attrs={"rows": 2}),
            "staff_empowered": TRISTATE_WIDGET,
            "right_people": TRISTATE_WIDGET,
            "quality_below_market": TRISTATE_WIDGET,
        }


class CorrectiveActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean_due_date(self):
        due: datetime.date = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return due


class TransitionForm(forms.Form):
    """One form for every move; which text is required depends on the action (workflow.RULES)."""

    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)


class AssignForm(forms.Form):
    to_owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), label="New owner")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Reason for the hand-off",
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # People only: an integration's user is a team member for scoping, never an owner.
        self.fields["to_owner"].queryset = User.objects.filter(
            is_active=True, teams=case.team, api_token__isnull=True
        ).exclude(pk=case.owner_id)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, label="Internal note")
