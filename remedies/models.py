"""Remedies given to customers, the authority to give them, and approvals over the cap.

Money is always a Decimal with its ISO 4217 currency code beside it.
"""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from accounts.history import RuleHistory
from accounts.models import Role

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}
currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO currency code, e.g. GBP.")


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class RemedyKind(models.Model):
    """The managed catalogue: what the front line may give."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    default_amount = models.DecimalField(**MONEY, default=0)
    costs_money = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the pick list.")

    history = RuleHistory()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_amount__gte=0), name="remedy_kind_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(costs_money=True) | Q(default_amount=0), name="remedy_kind_free_has_no_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


class ApprovalLevel(models.IntegerChoices):
    """Who an approval waits on. Each level has its own clock; the last one has none, it stays
    on every manager's list (and in their inbox) until someone decides."""

    LEAD = 0, "the team lead"
    MANAGER = 1, "a manager"
    ANY_MANAGER = 2, "every manager"


class ApprovalRequest(models.Model):
    """A remedy over the giver's authority, waiting for a lead or manager to decide."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="approval_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(RemedyKind, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, validators=[currency_code], default=default_currency)
    note = models.TextField("Note to the customer", blank=True)
    plus_one = models.BooleanField(default=False)
    reason = models.TextField(help_text="Why it needs an approval: which cap it passes.")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The team lead who should decide; empty: any manager.",
    )
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="The approval clock: decide before this.")
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the clock ran out and the request went to the managers."
    )
    level = models.PositiveSmallIntegerField(choices=ApprovalLevel.choices, default=ApprovalLevel.LEAD)
    next_escalation_at = models.DateTimeField(
        null=True, blank=True, help_text="When it climbs to the next level; empty at the last one."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at", "id"], name="approval_pending_due", condition=Q(status="pending")),
            # The escalation sweep asks only for pending requests whose next level is due.
            models.Index(
                fields=["next_escalation_at"],
                name="approval_next_escalation",
                condition=Q(status="pending", next_escalation_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="approval_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True, decided_by__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="approval_decided_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} on case {self.case_id} ({self.status})"


class ApprovalEscalation(models.Model):
    """One level an approval climbed to, with who was told: unique per (approval, level), so two
    sweeps or a retried task cannot climb or notify twice."""

    approval = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(choices=ApprovalLevel.choices)
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified = models.JSONField(default=list, help_text="Ids of the people told.")

    class Meta:
        ordering = ["approval", "level"]
        constraints = [
            models.UniqueConstraint(fields=["approval", "level"], name="approval_escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"Approval {self.approval_id} to {self.get_level_display()}"


class Remedy(models.Model):
    """Something given to the customer, with what it cost."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="remedies")
    kind = models.ForeignKey(RemedyKind, on_delete=models.PROTECT, related_name="remedies")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, validators=[currency_code], default=default_currency)
    note = models.TextField("Note to the customer", blank=True)
    plus_one = models.BooleanField(
        "+1", default=False, help_text="Goes beyond restoring the customer's original expectation."
    )
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField()
    approval = models.OneToOneField(
        ApprovalRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="remedy",
        help_text="Empty when given within the giver's own authority.",
    )

    class Meta:
        ordering = ["given_at", "id"]
        verbose_name_plural = "remedies"
        indexes = [models.Index(fields=["case", "given_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="remedy_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class AuthorityCap(models.Model):
    """How much someone may give without asking. Empty limits mean no limit.

    A row is for a role or for one user (an override), and for every kind or one kind.
    The most specific row wins as a whole: user+kind, user, role+kind, role. With no row
    at all there is no authority to spend: everything that costs goes to an approval.
    """

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="caps"
    )
    kind = models.ForeignKey(
        RemedyKind, null=True, blank=True, on_delete=models.CASCADE, help_text="Empty: every kind."
    )
    currency = models.CharField(max_length=3, validators=[currency_code], default=default_currency)
    max_per_remedy = models.DecimalField("Most per remedy", **MONEY, null=True, blank=True)
    max_per_case = models.DecimalField("Most per case", **MONEY, null=True, blank=True)
    budget_per_day = models.DecimalField("Budget per day", **MONEY, null=True, blank=True)
    budget_per_month = models.DecimalField("Budget per month", **MONEY, null=True, blank=True)

    LIMITS = ("max_per_remedy", "max_per_case", "budget_per_day", "budget_per_month")

    history = RuleHistory()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(user__isnull=False)) | (~Q(role="") & Q(user__isnull=True)),
                name="cap_for_a_role_or_a_user",
                violation_error_message="A cap is for a role or for one user: choose exactly one.",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"cap_{name}_not_negative",
                    violation_error_message="Limits cannot be negative; leave empty for no limit.",
                )
                for name in ("max_per_remedy", "max_per_case", "budget_per_day", "budget_per_month")
            ],
            *[
                models.UniqueConstraint(
                    fields=fields,
                    condition=condition,
                    name=name,
                    violation_error_message="There is already a cap for this role or user and kind.",
                )
                for fields, condition, name in (
                    (["role"], Q(user__isnull=True, kind__isnull=True), "cap_one_per_role"),
                    (["role", "kind"], Q(user__isnull=True), "cap_one_per_role_kind"),
                    (["user"], Q(kind__isnull=True), "cap_one_per_user"),
                    (["user", "kind"], None, "cap_one_per_user_kind"),
                )
            ],
        ]

    def __str__(self) -> str:
        who = self.user or Role(self.role).label
        return f"{who} · {self.kind or 'every kind'}"


class Budget(models.Model):
    """What one person gave within their own authority on one day, in one currency.

    Giving locks today's row (select_for_update), so parallel requests queue up and the
    daily and monthly sums they check cannot go stale under them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    currency = models.CharField(max_length=3, validators=[currency_code])
    spent = models.DecimalField(**MONEY, default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "currency"], name="budget_one_per_user_day"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="budget_spent_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day} {self.spent} {self.currency}"
