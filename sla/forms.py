"""Forms for promises, customer updates, policies and calendars.

Policies and calendars are edited as short text a manager can read back: "50%, 90%, 15m" for
warnings, one "level base +minutes action" line per escalation step, "Mon-Fri 09:00-17:00" lines
for opening hours.
"""

import re
from datetime import date, time
from zoneinfo import available_timezones

import holidays
from django import forms

from accounts.models import Team
from cases.models import Channel, Severity

from .models import BusinessCalendar, Policy
from .rules import EscalationAction, EscalationBase, format_warnings, parse_warnings

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class PromiseForm(forms.Form):
    what = forms.CharField(
        label="What we promised", max_length=200, help_text="e.g. Call back with the refund"
    )
    due_at = forms.DateTimeField(
        label="By when",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class CustomerUpdateForm(forms.Form):
    note = forms.CharField(label="What we told the customer", required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        # The case page also holds the remedy's note: two fields with one id let a label
        # name and focus the wrong one.
        kwargs.setdefault("auto_id", "update-%s")
        super().__init__(*args, **kwargs)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["name", "severity", "channel", "active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class NewPolicyForm(forms.Form):
    name = forms.CharField(max_length=120)
    severity = forms.ChoiceField(choices=[("", "Any severity"), *Severity.choices], required=False)
    channel = forms.ChoiceField(choices=[("", "Any channel"), *Channel.choices], required=False)
    copy_from = forms.ModelChoiceField(
        queryset=Policy.objects.all(), label="Start from the targets of", empty_label=None
    )


_STEP = re.compile(r"^\s*L?(\d+)\s+(warning|breach)\s*\+\s*(\d+)\s*(?:m|min)?\s+(\w+)\s*$", re.IGNORECASE)


def format_steps(steps) -> str:
    return "\n".join(f"L{s.level} {s.base} +{s.offset_minutes}m {s.action}" for s in steps)


def parse_steps(text: str) -> list[tuple[int, str, int, str]]:
    steps, seen = [], set()
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        match = _STEP.match(line)
        if not match:
            raise forms.ValidationError(
                f"'{line}' is not a step: write e.g. 'L2 breach +60m reassign_lead'.", code="step"
            )
        level, base, offset, action = int(match[1]), match[2].lower(), int(match[3]), match[4].lower()
        if action not in EscalationAction.values:
            raise forms.ValidationError(
                f"'{action}' is not an action; use one of: {', '.join(EscalationAction.values)}.",
                code="action",
            )
        if level in seen:
            raise forms.ValidationError(f"Level L{level} appears twice.", code="level")
        seen.add(level)
        steps.append((level, EscalationBase(base).value, offset, action))
    return steps


class TargetForm(forms.Form):
    minutes = forms.IntegerField(label="Target (minutes)", min_value=0, max_value=60 * 24 * 400)
    business_hours = forms.BooleanField(label="Count business hours only", required=False)
    warnings = forms.CharField(label="Warnings", required=False, help_text="e.g. 50%, 90%, 15m")
    steps = forms.CharField(
        label="Escalation chain",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One step a line: L1 breach +0m notify_lead. Bases: warning, breach. Actions: "
        + ", ".join(EscalationAction.values),
    )

    @classmethod
    def for_target(cls, target, data=None):
        initial = {
            "minutes": target.minutes,
            "business_hours": target.business_hours,
            "warnings": format_warnings(target.warnings),
            "steps": format_steps(target.steps.all()),
        }
        return cls(data, initial=initial, prefix=f"t{target.pk}")

    def clean_warnings(self):
        try:
            return parse_warnings(self.cleaned_data["warnings"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_steps(self):
        return parse_steps(self.cleaned_data["steps"])


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """'Mon-Fri 09:00-17:00' lines (several intervals a line allowed) -> {"0": [["09:00","17:00"]]}."""
    hours: dict[str, list[list[str]]] = {}
    for line in filter(None, (raw.strip().lower() for raw in text.splitlines())):
        head, _, rest = line.partition(" ")
        first, _, last = head.partition("-")
        if first[:3] not in DAYS or (last and last[:3] not in DAYS) or not rest.strip():
            raise forms.ValidationError(f"'{line}' should look like 'Mon-Fri 09:00-17:00'.")
        a, b = DAYS.index(first[:3]), DAYS.index((last or first)[:3])
        spans = []
        for span in rest.replace(",", " ").split():
            opens, _, closes = span.partition("-")
            try:
                spans.append(
                    [
                        time.fromisoformat(opens).strftime("%H:%M"),
                        time.fromisoformat(closes).strftime("%H:%M"),
                    ]
                )
            except ValueError:
                raise forms.ValidationError(f"'{span}' should be a time range like 09:00-17:00.") from None
        for day in range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]:
            hours.setdefault(str(day), []).extend(spans)
    return hours


def format_hours(hours: dict) -> str:
    return "\n".join(
        f"{DAYS[int(day)].title()} " + " ".join(f"{a}-{b}" for a, b in spans)
        for day, spans in sorted(hours.items(), key=lambda kv: int(kv[0]))
        if spans
    )


class CalendarForm(forms.ModelForm):
    hours_text = forms.CharField(
        label="Opening hours",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One line per day or range of days: Mon-Fri 09:00-17:00 or Sat 10:00-12:00 13:00-16:00.",
    )
    closed_text = forms.CharField(
        label="Extra closed days",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Dates, one a line: 2026-12-24",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Teams on this calendar",
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "tz", "always_open", "holiday_country", "holiday_subdiv"]
        labels = {"tz": "Time zone (IANA, e.g. Europe/London)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["hours_text"].initial = format_hours(self.instance.hours or {})
            self.fields["closed_text"].initial = "\n".join(self.instance.closed_days or [])
            self.fields["teams"].initial = Team.objects.filter(sla_calendar__calendar=self.instance)

    def clean_tz(self):
        tz = self.cleaned_data["tz"].strip()
        if tz not in available_timezones():
            raise forms.ValidationError(f"'{tz}' is not a time zone; write e.g. Europe/London.")
        return tz

    def clean_hours_text(self):
        return parse_hours(self.cleaned_data["hours_text"])

    def clean_closed_text(self):
        days = []
        for line in filter(None, (raw.strip() for raw in self.cleaned_data["closed_text"].splitlines())):
            try:
                days.append(date.fromisoformat(line).isoformat())
            except ValueError:
                raise forms.ValidationError(f"'{line}' is not a date like 2026-12-24.") from None
        return sorted(set(days))

    def clean(self):
        data = super().clean()
        country = (data.get("holiday_country") or "").strip().upper()
        if country:
            try:
                holidays.country_holidays(country, subdiv=(data.get("holiday_subdiv") or "").strip() or None)
            except NotImplementedError:
                self.add_error(
                    "holiday_country", f"No public holidays are known for '{country}' and that region."
                )
            data["holiday_country"] = country
        if not data.get("always_open") and not data.get("hours_text") and "hours_text" not in self.errors:
            self.add_error("hours_text", "Give opening hours, or tick Open 24/7.")
        return data

    def apply(self) -> BusinessCalendar:
        calendar = self.instance
        calendar.hours = self.cleaned_data["hours_text"]
        calendar.closed_days = self.cleaned_data["closed_text"]
        try:
            calendar.as_calendar()
        except ValueError as exc:
            self.add_error("hours_text", str(exc))
            raise forms.ValidationError(str(exc)) from None
        return calendar
