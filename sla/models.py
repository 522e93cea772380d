"""SLA policies, calendars, clocks and the notification outbox.

The database is the source of truth for every deadline: a clock row carries its due time,
its warning time and the instant the sweep must look at it next (`next_check_at`).
"""

from datetime import date, time

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.history import RuleHistory
from cases.models import Case, CaseEvent, Channel, Severity

from . import businesstime
from .rules import APPOINTED, ClockKind, EscalationAction, EscalationBase


class BusinessCalendar(models.Model):
    """Weekly opening hours in one time zone, with public holidays and custom closed days."""

    name = models.CharField(max_length=100, unique=True)
    tz = models.CharField("Time zone", max_length=64, default="Europe/London")
    always_open = models.BooleanField("Open 24/7", default=False)
    # {"0": [["09:00", "17:00"]], ...}: weekday (0 = Monday) -> local opening intervals.
    hours = models.JSONField(default=dict, blank=True)
    holiday_country = models.CharField(max_length=8, blank=True, help_text="ISO code, e.g. GB, US.")
    holiday_subdiv = models.CharField(max_length=8, blank=True, help_text="Region, e.g. ENG, CA.")
    closed_days = models.JSONField(default=list, blank=True, help_text="Extra closed dates (ISO).")
    updated_at = models.DateTimeField(auto_now=True)

    history = RuleHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_calendar(self) -> businesstime.Calendar:
        if self.always_open:
            return businesstime.Calendar.twenty_four_seven(self.tz)
        return businesstime.Calendar(
            tz=self.tz,
            hours={
                int(day): tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans)
                for day, spans in (self.hours or {}).items()
            },
            closed_days=frozenset(date.fromisoformat(d) for d in self.closed_days or ()),
            holiday_country=self.holiday_country or None,
            holiday_subdiv=self.holiday_subdiv or None,
        )


class TeamCalendar(models.Model):
    """The calendar whose business hours a team's clocks count in."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="sla_calendar")
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="teams")

    history = RuleHistory()

    def __str__(self) -> str:
        return f"{self.team}: {self.calendar}"


class PolicyKind(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    REGULATORY = "regulatory", "Regulatory"


class Policy(models.Model):
    """Targets for a kind of case. The most specific active match on severity and channel wins."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=PolicyKind.choices, default=PolicyKind.OPERATIONAL)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True, help_text="Empty: any.")
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, help_text="Empty: any.")
    is_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = RuleHistory()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="sla_policy_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=30, choices=ClockKind.choices)
    minutes = models.PositiveIntegerField(help_text="Business minutes (elapsed minutes when 24/7).")
    business_hours = models.BooleanField(
        default=True, help_text="Count in the team's business hours; off means 24/7."
    )
    # [{"percent": 50}, {"before": 15}]: shares of the target or minutes before due.
    warnings = models.JSONField(default=list, blank=True)

    history = RuleHistory()

    class Meta:
        ordering = ["policy", "kind"]
        constraints = [models.UniqueConstraint(fields=["policy", "kind"], name="sla_target_unique_kind")]

    def __str__(self) -> str:
        return f"{self.policy}: {self.get_kind_display()} {self.minutes} min"


class EscalationStep(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="steps")
    level = models.PositiveSmallIntegerField()
    base = models.CharField(max_length=10, choices=EscalationBase.choices, default=EscalationBase.BREACH)
    offset_minutes = models.PositiveIntegerField(default=0)
    action = models.CharField(max_length=20, choices=EscalationAction.choices)

    history = RuleHistory()

    class Meta:
        ordering = ["target", "level"]
        constraints = [models.UniqueConstraint(fields=["target", "level"], name="sla_step_unique_level")]

    def __str__(self) -> str:
        return f"L{self.level}: {self.get_action_display()} {self.offset_minutes} min after {self.base}"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    STOPPED = "stopped", "Stopped late"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)


class Clock(models.Model):
    """One deadline on one case. Due and warning times are derived from the start, the target,
    the calendar and the stored pause intervals, so a re-target recomputes them from scratch."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=30, choices=ClockKind.choices)
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(max_length=200, blank=True, help_text="What was promised, for promises.")
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, help_text="Empty: 24/7."
    )
    target_minutes = models.FloatField()
    warnings = models.JSONField(default=list, blank=True)
    steps = models.JSONField(default=list, blank=True, help_text="The escalation chain, copied at start.")
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True, help_text="The next warning not yet given.")
    due_at = models.DateTimeField(null=True, blank=True, help_text="Empty while paused.")
    next_check_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    business_minutes_taken = models.FloatField(null=True, blank=True)
    check_failures = models.PositiveIntegerField(default=0)
    # Kept with the clock so the sweep needs no extra reads: the levels already fired (each also
    # a unique Firing row, which is what makes firing exactly once), and whether it ever paused.
    fired_levels = models.JSONField(default=list, blank=True)
    paused_ever = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep's claim: cost follows the due clocks, not the open ones.
            models.Index(
                fields=["next_check_at"],
                name="sla_clock_next_check",
                condition=Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["case", "kind"]),
            # The queues' "next due" per case: one index probe per listed case.
            models.Index(
                fields=["case", "due_at"],
                name="sla_clock_case_next_due",
                condition=Q(stopped_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"], name="sla_clock_active_due", condition=Q(stopped_at__isnull=True)
            ),
            models.Index(
                fields=["breached_at"], name="sla_clock_breached", condition=Q(breached_at__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(stopped_at__isnull=True),
                name="sla_clock_one_active_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None

    @property
    def title(self) -> str:
        return self.label if self.kind in APPOINTED and self.label else self.get_kind_display()


class ClockPause(models.Model):
    """Each interval the clock stood still; `ended_at` is empty while it is paused."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"], condition=Q(ended_at__isnull=True), name="sla_pause_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="sla_pause_ends_after_start",
            ),
        ]


class Firing(models.Model):
    """A warning, a breach or an escalation level: one row each, so nothing fires twice."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="firings")
    level = models.CharField(max_length=20, help_text="warn-1, warn-2, breach, L1, L2...")
    action = models.CharField(max_length=20, blank=True)
    due_at = models.DateTimeField(help_text="When it should have fired.")
    fired_at = models.DateTimeField(help_text="When the sweep recorded it.")
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["clock", "level"], name="sla_firing_once_per_level")]

    @property
    def lateness_seconds(self) -> float:
        return max(0.0, (self.fired_at - self.due_at).total_seconds())


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class Notification(models.Model):
    """Notices and customer messages: the outbox's `notification` channel (cases.outbox)."""

    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(max_length=254, blank=True, help_text="E-mail address or phone number.")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty when nothing is left to do."
    )
    leased_until = models.DateTimeField(
        null=True, blank=True, help_text="An attempt is in flight until then; nobody else may take it."
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Set when retries ran out.")
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The SMS gateway's id for what it accepted, and the last state its delivery receipts gave.
    gateway_id = models.CharField(max_length=64, blank=True)
    gateway_state = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="sla_outbox_due",
                condition=Q(next_attempt_at__isnull=False),
            ),
            models.Index(
                fields=["recipient", "-created_at"],
                name="sla_inbox_unread",
                condition=Q(channel="in_app", read_at__isnull=True),
            ),
            # Delivery receipts find their message by the gateway's id.
            models.Index(
                fields=["gateway_id"], name="sla_notification_gateway_id", condition=~Q(gateway_id="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient or self.address}: {self.subject}"


class Heartbeat(models.Model):
    """When a periodic job last completed a run; /readyz reads it to tell a dead beat or worker."""

    name = models.CharField(max_length=50, primary_key=True)
    completed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.completed_at:%Y-%m-%d %H:%M:%S}"
