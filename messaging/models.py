"""What we say to customers: the templates agents start from, and every message sent."""

from django.conf import settings
from django.db import models

from accounts.history import RuleHistory
from sla.models import NotificationChannel


class MessageKind(models.TextChoices):
    APOLOGY = "apology", "Apology and ownership"
    EXPECTATION = "expectation", "Expectation: we will do X by a time"
    UPDATE = "update", "Update"
    RESOLUTION = "resolution", "Resolution"
    FOLLOW_UP = "follow_up", "Follow-up"
    FREE = "free", "Free text"
    ACKNOWLEDGEMENT = "acknowledgement", "Automatic acknowledgement"


class MessageTemplate(models.Model):
    """Text with {placeholders}: {first_name}, {reference}, {owner}, {product}, {promised_time}."""

    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    name = models.CharField(max_length=100, unique=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    active = models.BooleanField(default=True)

    history = RuleHistory()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMessaging(models.Model):
    """Per-team choices about what we send without a person."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="messaging")
    auto_acknowledge = models.BooleanField(
        default=False, help_text="E-mail new customers their reference and when a person will answer."
    )

    class Meta:
        verbose_name = "team messaging settings"
        verbose_name_plural = "team messaging settings"

    def __str__(self) -> str:
        return f"{self.team}: {'acknowledges' if self.auto_acknowledge else 'no acknowledgement'}"


class CustomerMessage(models.Model):
    """A message to the case's customer; its delivery is the outbox row it points at."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="customer_messages")
    notification = models.OneToOneField(
        "sla.Notification", on_delete=models.PROTECT, related_name="customer_message"
    )
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)
    address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # The threading headers (Message-ID, In-Reply-To, References, Auto-Submitted) sent with e-mail.
    headers = models.JSONField(default=dict, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.address}"
