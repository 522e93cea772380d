"""Structured answers for the triage: WHAT happened, WHY, WHAT we do DIFFERENT."""

from django.conf import settings
from django.db import models

from .case import Case, JourneyStage


class TriState(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Don't know yet"


class Scope(models.TextChoices):
    WHOLE = "whole", "The whole product or service"
    PART = "part", "A part of it"


class Origin(models.TextChoices):
    OURS = "ours", "Ours"
    VENDOR = "vendor", "A vendor's"
    BOTH = "both", "Both ours and a vendor's"


class WhatAnswer(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="what")
    complaint = models.TextField("What specifically is the customer unhappy about?", blank=True)
    scope = models.CharField(
        "The whole product or service, or a part of it?",
        max_length=10,
        choices=Scope.choices,
        blank=True,
    )
    part_affected = models.CharField("Which part?", max_length=200, blank=True)
    journey_stage = models.CharField(
        "At which point of the journey did they become dissatisfied?",
        max_length=20,
        choices=JourneyStage.choices,
        blank=True,
    )
    tried_before = models.CharField(
        "Had the customer already tried to get it fixed?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    prior_attempts = models.TextField("When and how did they try?", blank=True)
    our_answer = models.TextField("What did we answer then?", blank=True)
    why_not_enough = models.TextField("Why was our answer not enough?", blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class RootCause(models.Model):
    """The managed taxonomy of root causes, two levels deep (category > cause)."""

    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="root_cause_unique_in_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class WhyAnswer(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="why")
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="why_answers"
    )
    explanation = models.TextField("What caused it, in your words", blank=True)
    origin = models.CharField(
        "Is it our problem or a vendor's?", max_length=10, choices=Origin.choices, blank=True
    )
    expectations_set = models.CharField(
        "Did we negotiate expectations up front (time, scope, functions, conditions)?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    checked_in = models.CharField(
        "Did we check in with the customer between purchase and delivery?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    responded_at_once = models.CharField(
        "Did we respond at once when the complaint came in?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    verified_before_delivery = models.CharField(
        "Did we verify it worked and was complete before delivery?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    met_expectations_after = models.CharField(
        "Did it meet expectations shortly after delivery, and did we record their response?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    over_promised = models.CharField(
        "Did we over-promise and under-deliver?", max_length=10, choices=TriState.choices, blank=True
    )
    below_market = models.CharField(
        "Is our service level below what the market offers?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    staff_consulted = models.TextField("Who did you talk to (customer, staff involved)?", blank=True)
    updated_at = models.DateTimeField(auto_now=True)


# WHY's yes/no/don't-know questions: each a filter of the case list and a dashboard breakdown.
WHY_QUESTIONS = (
    "expectations_set",
    "checked_in",
    "responded_at_once",
    "verified_before_delivery",
    "met_expectations_after",
    "over_promised",
    "below_market",
)


class DifferentAnswer(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="different")
    process_at_fault = models.TextField(
        "Which process or procedure prevented good service or quality?", blank=True
    )
    staff_empowered = models.CharField(
        "Are staff empowered and trained to resolve this without a manager?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    right_people = models.CharField(
        "Are the right people in the right jobs?", max_length=10, choices=TriState.choices, blank=True
    )
    endemic = models.TextField("What has become endemic and must change?", blank=True)
    next_time = models.TextField("How will we handle this kind of issue next time?", blank=True)
    quality_below_market = models.CharField(
        "Has quality fallen below what the market accepts?",
        max_length=10,
        choices=TriState.choices,
        blank=True,
    )
    no_change_needed = models.BooleanField("No change needed", default=False)
    no_change_reason = models.TextField("Why no change is needed", blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CorrectiveAction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrective_actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:60]
