"""Macros: a named set of steps a lead or admin defines, applied to a case in one click."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from remedies.models import MONEY, currency_code, default_currency


class Macro(models.Model):
    """Each step is optional; those given run in this order: message, remedy, promise, note."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True, help_text="When to use it, for the agent.")
    message_template = models.ForeignKey(
        "messaging.MessageTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Sent to the customer by their channel. The apology is the first response.",
    )
    remedy_kind = models.ForeignKey(
        "remedies.RemedyKind", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    remedy_amount = models.DecimalField(**MONEY, null=True, blank=True)
    remedy_currency = models.CharField(max_length=3, validators=[currency_code], default=default_currency)
    remedy_note = models.CharField("Note to the customer", max_length=500, blank=True)
    promise_what = models.CharField(
        "What we promise", max_length=200, blank=True, help_text='e.g. "call you back today".'
    )
    promise_hours = models.PositiveSmallIntegerField(
        "Promised within (hours)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    note = models.CharField("Internal note", max_length=500, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the case page.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remedy_kind__isnull=True) | Q(remedy_amount__isnull=False),
                name="macro_remedy_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(promise_what="") | Q(promise_hours__isnull=False),
                name="macro_promise_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def steps(self) -> list[str]:
        """The steps in words, for the button's title and the management list."""
        steps = []
        if self.message_template_id:
            steps.append(f"send “{self.message_template}”")
        if self.remedy_kind_id:
            steps.append(f"{self.remedy_kind} {self.remedy_amount} {self.remedy_currency}")
        if self.promise_what:
            steps.append(f"promise: {self.promise_what} within {self.promise_hours} h")
        if self.note:
            steps.append("internal note")
        return steps
