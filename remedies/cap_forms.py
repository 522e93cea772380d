from django import forms

from accounts.models import User

from .forms import currency_choices
from .models import AuthorityCap, RemedyKind


def _money(label: str) -> forms.DecimalField:
    # Text, not type=number: what was typed stays, and the server says what is wrong with it.
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Empty: no limit.",
        error_messages={"min_value": "A limit cannot be negative; leave it empty for no limit."},
    )


class CapForm(forms.ModelForm):
    max_per_remedy = _money("Most per remedy")
    max_per_case = _money("Most per case")
    budget_per_day = _money("Budget per day")
    budget_per_month = _money("Budget per month")
    currency = forms.TypedChoiceField(label="Currency", choices=currency_choices)

    class Meta:
        model = AuthorityCap
        fields = ["role", "user", "kind", "currency", *AuthorityCap.LIMITS]
        labels = {"role": "Role", "user": "Person", "kind": "Remedy kind"}
        help_texts = {
            "role": "Everyone with this role…",
            "user": "…or one person (their cap overrides their role's).",
            "kind": "Empty: every kind.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True)
        self.fields["user"].empty_label = "Nobody in particular"
        self.fields["kind"].queryset = RemedyKind.objects.all()
        self.fields["kind"].empty_label = "Every kind"
        self.fields["role"].choices = [("", "No role: a person's cap"), *self.fields["role"].choices[1:]]

    def clean(self):
        data = super().clean()
        if data.get("role") and data.get("user"):
            self.add_error("user", "Choose a role or a person, not both.")
        elif not data.get("role") and not data.get("user"):
            self.add_error("role", "Choose a role or a person.")
        return data
