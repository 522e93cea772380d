from django import forms

from accounts.models import Team

from .models import EventType


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="The receiving system, e.g. 'CRM'.")
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Events",
        help_text="Leave all unticked for every event.",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave unticked for all your teams.",
    )
    secret = forms.CharField(
        min_length=16,
        max_length=128,
        required=False,
        help_text="Signs every delivery. Leave empty to have one generated (shown once).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.sees_all_teams:
            self.fields["teams"].queryset = user.teams.all()
