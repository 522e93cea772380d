from django.conf import settings
from django.db import models

from .customers import Customer


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    WEB_FORM = "web_form", "Web form"
    SOCIAL_MEDIA = "social_media", "Social media"
    REVIEW_SITE = "review_site", "Review site"
    API = "api", "API"


class JourneyStage(models.TextChoices):
    """Where in the purchase-to-delivery journey the customer became dissatisfied."""

    BEFORE_PURCHASE = "before_purchase", "Before purchase (enquiry, advice)"
    PURCHASE = "purchase", "Purchase (ordering, payment)"
    FULFILMENT = "fulfilment", "Fulfilment (preparation, dispatch)"
    DELIVERY = "delivery", "Delivery or service visit"
    FIRST_USE = "first_use", "First use (set-up, installation)"
    AFTER_SALES = "after_sales", "After sales (support, repairs)"
    BILLING = "billing", "Billing and refunds"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Status(models.TextChoices):
    """The customer track: where the customer stands."""

    NEW = "new", "New"
    RESPONDED = "responded", "Responded"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    FOLLOWED_UP = "followed_up", "Followed up"
    CLOSED = "closed", "Closed"


class TriageStage(models.TextChoices):
    """The learning track: WHAT happened, WHY, WHAT we do DIFFERENT."""

    WHAT = "what", "WHAT happened"
    WHY = "why", "WHY it happened"
    DIFFERENT = "different", "WHAT we do DIFFERENT"
    DONE = "done", "Triage done"


OPEN_STATUSES = (Status.NEW, Status.RESPONDED, Status.WAITING_ON_CUSTOMER)


class Product(models.Model):
    """A product or service the company sells: a managed list, so reports group cleanly."""

    name = models.CharField(max_length=150, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseReference(models.Func):
    """R-000123 from the case's id, computed by the database as the row is inserted: the
    reference exists from the first write, with no second write to set it."""

    output_field = models.CharField(max_length=20)
    template = (
        "('R-' || CASE WHEN %(expressions)s < 1000000"
        " THEN lpad(CAST(%(expressions)s AS text), 6, '0') ELSE CAST(%(expressions)s AS text) END)"
    )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=(
                "('R-' || CASE WHEN %(expressions)s < 1000000"
                " THEN substr('000000' || %(expressions)s, -6) ELSE CAST(%(expressions)s AS text) END)"
            ),
            **extra,
        )


class Case(models.Model):
    reference = models.GeneratedField(
        expression=CaseReference("id"),
        output_field=models.CharField(max_length=20),
        db_persist=True,
        unique=True,
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    source_reference = models.CharField(
        max_length=500, blank=True, help_text="Order number, review URL, call id..."
    )
    source = models.CharField(
        max_length=50, blank=True, help_text="The outside system that raised the case, e.g. 'shop'."
    )
    external_id = models.CharField(max_length=200, blank=True, help_text="The case's id in that system.")
    summary = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="cases")
    journey_stage = models.CharField(max_length=20, choices=JourneyStage.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    triage_stage = models.CharField(max_length=10, choices=TriageStage.choices, default=TriageStage.WHAT)

    first_response = models.TextField(blank=True, help_text="The apology and ownership given.")
    resolution = models.TextField(blank=True, help_text="What was done for the customer.")
    follow_up_note = models.TextField(blank=True)

    handoff_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every change.")

    opened_at = models.DateTimeField(help_text="Intake: the clock starts here.")
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["customer", "-opened_at"]),
            models.Index(fields=["-opened_at", "-id"], name="case_opened_desc"),
            # A team's newest cases first (the API list for a team-scoped token) without a sort.
            models.Index(fields=["team", "-opened_at", "-id"], name="case_team_opened_desc"),
        ]
        constraints = [
            # An outside system raises each of its cases here once: a repeat is a conflict.
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="case_source_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
