"""What customers say to us outside mail: text messages from the SMS gateway, and public posts
and reviews that social and review-site monitors pass on."""

from django.db import models


class Scheme(models.TextChoices):
    TWILIO = "twilio", "Twilio request signature (HMAC-SHA1, X-Twilio-Signature)"
    HMAC = "hmac", "HMAC-SHA256 with a timestamp and a delivery id"


class SmsGateway(models.Model):
    """A gateway allowed to post to `/api/v1/intake/sms/<name>/`, and the secret it signs with.

    Without a row, the environment's SMS_WEBHOOK_TWILIO_TOKEN / SMS_WEBHOOK_HMAC_SECRET serve the
    gateways named "twilio" and "hmac"."""

    name = models.SlugField(max_length=50, unique=True)
    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    secret = models.CharField(max_length=200, help_text="The auth token (Twilio) or shared secret.")
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.scheme})"


class SignedDelivery(models.Model):
    """A delivery id we have taken: the same id again is a replay (409) and writes nothing."""

    source = models.CharField(max_length=60, help_text="sms:<gateway> or mentions:<monitor>.")
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "delivery_id"], name="conversations_delivery_once")
        ]


class SmsOptOut(models.Model):
    """A number that said STOP: no SMS goes to it until it says START."""

    phone = models.CharField(max_length=32, unique=True, help_text="E.164, e.g. +447700900123.")
    opted_out = models.BooleanField(default=True)
    keyword = models.CharField(max_length=20)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.phone}: {'opted out' if self.opted_out else 'opted in'} ({self.keyword})"


class SmsOutcome(models.TextChoices):
    CASE_OPENED = "case_opened", "Opened a case"
    THREADED = "threaded", "Added to its case"
    OPTED_OUT = "opted_out", "Opt-out (STOP)"
    OPTED_IN = "opted_in", "Opt-in (START)"


class InboundSms(models.Model):
    sid = models.CharField(max_length=64, unique=True, help_text="The gateway's message id.")
    gateway = models.CharField(max_length=50)
    from_phone = models.CharField(max_length=32, db_index=True, help_text="Normalised, E.164.")
    to_phone = models.CharField(max_length=32, blank=True)
    body = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=SmsOutcome.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_sms"
    )
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "inbound SMS"
        verbose_name_plural = "inbound SMS"

    def __str__(self) -> str:
        return f"SMS {self.sid} from {self.from_phone}"


class Platform(models.TextChoices):
    TWITTER = "twitter", "X / Twitter"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YELP = "yelp", "Yelp"
    TRIPADVISOR = "tripadvisor", "TripAdvisor"
    GOOGLE = "google", "Google reviews"
    TRUSTPILOT = "trustpilot", "Trustpilot"


REVIEW_SITES = frozenset({Platform.YELP, Platform.TRIPADVISOR, Platform.GOOGLE, Platform.TRUSTPILOT})


class Monitor(models.Model):
    """A social or review monitor: its bearer token (stored hashed) and its signing secret."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    secret = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PublicCase(models.Model):
    """A case the world can read: where it was posted, the rating, and how we answered in public."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="public")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    author_handle = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    first_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The latest rating.")
    reply_text = models.TextField(blank=True)
    reply_link = models.URLField(max_length=500, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    rating_at_reply = models.PositiveSmallIntegerField(null=True, blank=True)
    private_channel = models.CharField(
        max_length=20, blank=True, help_text="Where we took it: sms, email, phone."
    )

    class Meta:
        indexes = [models.Index(fields=["platform", "author_handle"])]

    def __str__(self) -> str:
        return f"{self.case_id} on {self.platform}"


class Mention(models.Model):
    monitor = models.ForeignKey(Monitor, on_delete=models.PROTECT, related_name="mentions")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    post_id = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    author_handle = models.CharField(max_length=100)
    text = models.TextField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    posted_at = models.DateTimeField()
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="mentions")
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "post_id"], name="conversations_mention_once")
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.post_id}"
