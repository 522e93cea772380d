"""Filters and forms of the insights pages. They validate input; services decide."""

import datetime

from django import forms
from django.utils import timezone

from accounts.models import Team, User
from cases.models import Channel, JourneyStage, Product, Severity

from .models import ImprovementStatus, Outcome, Retained, SurveyChannel, Weekday
from .selectors.scope import Scope

DEFAULT_DAYS = 30
MAX_DAYS = 366


def _blank(choices):
    return [("", "Any"), *choices]


class ScopeForm(forms.Form):
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="From"
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="To"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="All my teams")
    channel = forms.ChoiceField(choices=_blank(Channel.choices), required=False)
    severity = forms.ChoiceField(choices=_blank(Severity.choices), required=False)
    product = forms.ModelChoiceField(queryset=Product.objects.all(), required=False, empty_label="Any")
    journey_stage = forms.ChoiceField(choices=_blank(JourneyStage.choices), required=False, label="Journey")
    bucket = forms.ChoiceField(
        choices=[("day", "By day"), ("week", "By week")], required=False, label="Trend"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Show the default period in the date fields rather than leaving them blank.
        today = timezone.localdate()
        self.fields["end"].initial = today
        self.fields["start"].initial = today - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if not user.sees_all_teams:
            # Another team's id is an invalid choice: its figures are not this user's to see.
            self.fields["team"].queryset = user.teams.all()

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", "The period must start before it ends.")
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", f"Choose a period of at most {MAX_DAYS} days.")
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> Scope:
        """The scope asked for, or the default one (last 30 days) when the filters are invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        picked = {
            "team": data["team"].pk if data.get("team") else None,
            "channel": data.get("channel"),
            "severity": data.get("severity"),
            "product": data["product"].pk if data.get("product") else None,
            "journey_stage": data.get("journey_stage"),
        }
        return Scope(
            user=self.user,
            start=start,
            end=end,
            bucket=data.get("bucket") or "day",
            slice={k: v for k, v in picked.items() if v},
        )


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, label="How did it go?")
    retained = forms.ChoiceField(
        choices=Retained.choices,
        widget=forms.RadioSelect,
        initial=Retained.UNKNOWN,
        label="Is the customer still with us?",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000, label="What they said"
    )


class SurveySendForm(forms.Form):
    channel = forms.ChoiceField(choices=SurveyChannel.choices, label="Send by")


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        label="How well did we put things right? (1 = badly, 5 = very well)",
        error_messages={"required": "Choose a score from 1 to 5."},
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        label="Anything you would like to tell us? (optional)",
    )


class PromoteForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10000)
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(),
        required=False,
        empty_label="Every product",
        help_text="Link only the cases of this product, or every case with the root cause.",
    )
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ImprovementStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ImprovementStatus.choices)


class TeamTargetForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), widget=forms.HiddenInput)
    first_touch_percent = forms.DecimalField(
        min_value=0, max_value=100, max_digits=5, decimal_places=1, label="First-touch target (%)"
    )


class DigestScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day of the week")
    hour = forms.TypedChoiceField(
        choices=[(h, f"{h:02d}:00") for h in range(24)], coerce=int, label="At (local time)"
    )
    active = forms.BooleanField(required=False, initial=True, label="Send it to me by e-mail")
