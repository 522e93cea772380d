"""The customer's side: their personal link, what they sent from it, and booked call-backs."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class StatusLink(models.Model):
    """The personal link to one case's status page. The URL carries this row's id, signed with
    the secret key, so it cannot be guessed or altered; revoking the row kills the link."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="status_links")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(revoked_at__isnull=True), name="portal_one_live_link_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"Status link for case {self.case_id}"


class CustomerPhoto(models.Model):
    """A photo the customer added from the status page (the same types and size as mail)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="customer_photos")
    link = models.ForeignKey(StatusLink, on_delete=models.PROTECT, related_name="photos")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to="portal/photos/%Y/%m/", max_length=300)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class CallbackState(models.TextChoices):
    BOOKED = "booked", "Booked"
    MADE = "made", "Call made"
    DROPPED = "dropped", "Call dropped"
    MOVED = "moved", "Moved to another time"
    CANCELLED = "cancelled", "Cancelled"


SLOT = timedelta(minutes=30)


class Callback(models.Model):
    """A call-back the customer was promised: an agent, a half-hour slot, and a clock that
    breaches at the slot's end unless the call is logged as made."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="callbacks")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="callbacks")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=CallbackState.choices, default=CallbackState.BOOKED)
    phone = models.CharField(max_length=40)
    clock = models.OneToOneField(
        "sla.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="callback"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="The customer said the time suits.")
    moved_by_customer = models.BooleanField(default=False)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    logged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["agent", "starts_at"], name="portal_callback_agent_slot")]
        constraints = [
            # Slots are a fixed half-hour grid, so "an agent booked twice at once" is exactly two
            # booked rows with the same agent and start: the database refuses the second.
            models.UniqueConstraint(
                fields=["agent", "starts_at"],
                condition=Q(state="booked"),
                name="portal_callback_agent_free",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="booked"), name="portal_callback_one_booked_per_case"
            ),
            models.CheckConstraint(
                condition=Q(ends_at=F("starts_at") + SLOT), name="portal_callback_one_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"Call-back on case {self.case_id} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_booked(self) -> bool:
        return self.state == CallbackState.BOOKED
