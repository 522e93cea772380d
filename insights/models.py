"""The learning loop: follow-up outcomes, satisfaction surveys and systemic improvements."""

from django.conf import settings
from django.db import models


class Outcome(models.TextChoices):
    SATISFIED = "satisfied", "Satisfied"
    STILL_UNHAPPY = "still_unhappy", "Still unhappy"
    NO_ANSWER = "no_answer", "No answer"


class Retained(models.TextChoices):
    YES = "yes", "Retained"
    NO = "no", "Lost"
    UNKNOWN = "unknown", "Unknown"


class FollowUpOutcome(models.Model):
    """What the customer said when the owner called back after the fix."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="follow_up_outcomes")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    retained = models.CharField(
        "Is the customer still with us?", max_length=10, choices=Retained.choices, default=Retained.UNKNOWN
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["recorded_at"]),
            models.Index(fields=["case", "-recorded_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.get_retained_display()})"


class SurveyChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class SurveyInvitation(models.Model):
    """A link sent to the customer. Only a hash of its token is stored: a database leak
    must not let anyone answer in the customer's name."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="survey_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, choices=SurveyChannel.choices)
    recipient = models.CharField(max_length=254)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Survey for case {self.case_id} via {self.channel}"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.PROTECT, related_name="response")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="survey_responses")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["answered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="survey_score_between_1_and_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 on case {self.case_id}"


class ImprovementStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Improvement(models.Model):
    """A systemic change that answers many cases at once; its effect is measured afterwards."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    root_cause = models.ForeignKey("cases.RootCause", on_delete=models.PROTECT, related_name="improvements")
    product = models.ForeignKey(
        "cases.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="improvements"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvements")
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_from = models.ForeignKey(
        "cases.CorrectiveAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvements",
    )
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="improvements")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["status", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", completed_at__isnull=False)
                | (~models.Q(status="done") & models.Q(completed_at__isnull=True)),
                name="improvement_completed_when_done",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurveyOutreach(models.Model):
    """The survey's clock after the fix: sent to the customer at `send_at`, reminded once at
    `remind_at` if unanswered. One per case; `next_check_at` is what the beat sweep asks for."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="survey_outreach")
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="outreach"
    )
    created_at = models.DateTimeField()
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    skipped = models.CharField(max_length=200, blank=True, help_text="Why nothing (more) was sent.")

    class Meta:
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="survey_outreach_due",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"Survey outreach for case {self.case_id}"


class SurveyOptOut(models.Model):
    """A customer who asked not to be sent surveys: the outreach skips them, on every channel."""

    customer = models.OneToOneField("cases.Customer", on_delete=models.CASCADE, related_name="survey_opt_out")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"No surveys for customer {self.customer_id}"


FIRST_TOUCH_TARGET_DEFAULT = 95  # the seed: more than 95 % fixed by the first person reached


class TeamTarget(models.Model):
    """The first-touch resolution rate a manager expects of a team; below it, the dashboard warns."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="target")
    first_touch_percent = models.DecimalField(
        "First-touch resolution target (%)", max_digits=5, decimal_places=1
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_touch_percent__gte=0, first_touch_percent__lte=100),
                name="team_target_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.first_touch_percent} %"


class DailyFigures(models.Model):
    """Per local day, team and author: the period counts of the cases opened that day, and the cases
    resolved that day. Maintained by beat for the days whose cases changed
    (insights.selectors.rollup), so a long period sums ~365 rows per team instead of reading
    every case."""

    day = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    # Who logged the cases (empty: another system): first touch per agent reads the rollup too.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opened = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0, help_text="Of the cases opened that day.")
    first_touch = models.PositiveIntegerField(default=0)
    handoffs = models.PositiveIntegerField(default=0)
    handed_off = models.PositiveIntegerField(default=0)
    resolved_that_day = models.PositiveIntegerField(default=0, help_text="Whenever they were opened.")
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team", "created_by"],
                name="daily_figures_one_per_day_team_author",
                nulls_distinct=False,
            )
        ]


class RollupRun(models.Model):
    """The rollup's watermark: cases changed after `changed_since` are not in it yet. One row."""

    changed_since = models.DateTimeField()
    finished_at = models.DateTimeField()


class Breakdown(models.TextChoices):
    ROOT_CAUSE = "root_cause", "Root cause (id)"
    WHY_ORIGIN = "why_origin", "WHY origin (empty: not said)"
    WHY_ANSWER = "why_answer", "WHY yes/no answer (question=answer)"
    WHAT_STAGE = "what_stage", "WHAT journey stage"
    WHAT_PART = "what_part", "WHAT part affected"
    CSAT_SCORE = "csat_score", "Survey score (by the day answered)"
    REMEDY_CASES = "remedy_cases", "Cases given a remedy (currency)"


class DailyBreakdown(models.Model):
    """Per local day and team: how many cases opened that day have each root cause, WHY origin,
    WHY answer, WHAT stage and part, and were given a remedy in each currency; and how many survey
    answers of each score were given that day. Kept with DailyFigures (insights.services.rollup),
    so a period's Pareto, triage breakdowns and spend sum a few rows per day instead of joining
    every case."""

    day = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    breakdown = models.CharField(max_length=20, choices=Breakdown.choices)
    value = models.CharField(max_length=255, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team", "breakdown", "value"], name="daily_breakdown_one_per_value"
            )
        ]
        indexes = [models.Index(fields=["breakdown", "day"], name="daily_breakdown_by_kind_day")]


class Duration(models.TextChoices):
    FIRST_RESPONSE = "first_response", "Opened to first response"
    RESOLUTION = "resolution", "Opened to resolved"


class DailyDurations(models.Model):
    """Per local day and team: a histogram of how long the cases opened that day took to a first
    response and to resolution (buckets: insights.selectors.histogram), from which a long
    period's median and p90 are read to within a bucket's width."""

    day = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    duration = models.CharField(max_length=20, choices=Duration.choices)
    bucket = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team", "duration", "bucket"], name="daily_durations_one_per_bucket"
            )
        ]
        indexes = [models.Index(fields=["duration", "day"], name="daily_durations_by_kind_day")]


class DailyRemedies(models.Model):
    """Per local day the cases were opened, team, giver, remedy kind, root cause and currency: the
    remedies granted on those cases, what they cost and how many were a +1. Any one ledger
    breakdown (agent, team, kind, root cause) is a sum over these rows."""

    day = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind_id = models.PositiveIntegerField(help_text="remedies.RemedyKind: an id, remedies is optional.")
    root_cause = models.ForeignKey(
        "cases.RootCause", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    currency = models.CharField(max_length=3)
    remedies = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    plus_one = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team", "given_by", "kind_id", "root_cause", "currency"],
                name="daily_remedies_one_per_key",
                nulls_distinct=False,
            )
        ]


class DailyFollowUps(models.Model):
    """Per local day and team: the follow-ups recorded that day by retained answer, with the day
    of the case's next follow-up (empty: none yet). A period counts a case's last follow-up in
    it, so a row counts for a period ending before `superseded_on`; a follow-up superseded the
    same day never counts and is left out."""

    day = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    retained = models.CharField(max_length=10, choices=Retained.choices)
    superseded_on = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team", "retained", "superseded_on"],
                name="daily_follow_ups_one_per_answer",
                nulls_distinct=False,
            )
        ]


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class DigestSchedule(models.Model):
    """When a lead or manager gets the weekly digest by e-mail. `next_due_at` is the deadline
    column beat asks for (empty while switched off)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(default=8, help_text="Local time, 0-23.")
    active = models.BooleanField(default=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_due_at"], name="digest_due", condition=models.Q(next_due_at__isnull=False)
            )
        ]
        constraints = [models.CheckConstraint(condition=models.Q(hour__lte=23), name="digest_hour_of_day")]


class RepeatCustomers(models.Model):
    """The repeat customers of a standard period (the default month, a quarter, a year, ending
    today) for one set of teams, computed by beat: unlike the other period figures they cannot be
    summed from days (a customer with a case on each of two days repeats in the period, on
    neither day), and a year of them groups ~500k cases. The page shows them "as of" `computed_at`;
    other periods and slices count live."""

    start = models.DateField()
    end = models.DateField()
    teams = models.CharField(
        max_length=200, blank=True, help_text="The team ids, sorted, comma-separated; empty: every team."
    )
    customers = models.PositiveIntegerField()
    cases = models.PositiveIntegerField()
    top = models.JSONField(help_text="The busiest customers: value (id), label (name) and count.")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["start", "end", "teams"], name="repeat_customers_one_per_scope")
        ]
