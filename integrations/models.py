"""What outside systems hold with us: API tokens and webhook subscriptions."""

import hashlib

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.history import RuleHistory


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """One integration's key. Only its SHA-256 is stored: the key itself is shown once."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_token",
        help_text="The integration's identity: the timeline names it as the actor.",
    )
    teams = models.ManyToManyField("accounts.Team", related_name="api_tokens")
    can_write = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = RuleHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EventType(models.TextChoices):
    # Labels are the names integrators subscribe to, as they appear in the payloads.
    CASE_CREATED = "case.created", "case.created"
    CASE_UPDATED = "case.updated", "case.updated"
    CASE_TRANSITIONED = "case.transitioned", "case.transitioned"
    CASE_CLOSED = "case.closed", "case.closed"
    CLOCK_WARNING = "clock.warning", "clock.warning"
    CLOCK_BREACHED = "clock.breached", "clock.breached"
    ESCALATION_FIRED = "escalation.fired", "escalation.fired"
    REMEDY_GIVEN = "remedy.given", "remedy.given"
    APPROVAL_REQUESTED = "approval.requested", "approval.requested"
    APPROVAL_DECIDED = "approval.decided", "approval.decided"


class WebhookSubscription(models.Model):
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, help_text="Signs each body: HMAC-SHA256.")
    event_types = models.JSONField(default=list, blank=True, help_text="Empty means every event.")
    teams = models.ManyToManyField(
        "accounts.Team", blank=True, related_name="webhook_subscriptions", help_text="Empty means all."
    )
    active = models.BooleanField(default=True)
    failure_count = models.PositiveIntegerField(
        default=0, help_text="Failed attempts in a row, across deliveries, since the last delivered one."
    )
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="When the current run of failures began; empty while healthy."
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    @property
    def team_ids(self) -> set[int]:
        """The teams whose cases it hears about (empty: every team); reads prefetched teams."""
        return {team.pk for team in self.teams.all()}


class WebhookDelivery(models.Model):
    """One event for one subscription: the delivery log and the retry ladder in one row."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("cases.CaseEvent", on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    attempts = models.PositiveIntegerField(default=0, help_text="Attempts made, counted as each starts.")
    ladder_from = models.PositiveIntegerField(
        default=0, help_text="Attempts made before the current retry ladder (a redelivery starts one)."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Empty once finished.")
    leased_until = models.DateTimeField(
        null=True, blank=True, help_text="An attempt is in flight until then; nobody else may take it."
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Set when retries ran out.")
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once_per_event")
        ]
        indexes = [
            # The deliverer asks only for what is due, never scans the log.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(next_attempt_at__isnull=False),
            ),
            models.Index(fields=["subscription", "-created_at", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.public_event_id} → {self.subscription_id}"

    @property
    def public_event_id(self) -> str:
        """What receivers dedupe on: the same for every retry and redelivery of the event."""
        return f"evt_{self.event_id}"
