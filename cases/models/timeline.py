"""The case's timeline: an append-only log of everything that happened to it."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .case import Case


class AppendOnlyError(Exception):
    pass


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=60, help_text="Namespaced, e.g. 'case.transitioned'.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the system acted (a sweep, an integration).",
    )
    created_at = models.DateTimeField(db_index=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"

    def save(self, *args, **kwargs):
        # Events are facts: written once, never rewritten (the database enforces it too).
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Timeline events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline events cannot be deleted.")


class Handoff(models.Model):
    """Every change of owner, with its reason: being passed along is itself a failure."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handoffs")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
