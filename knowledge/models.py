"""Knowledge articles (what the agent should know), their history and uses, and the assisted
triage's trained model and the record of whether its suggestions were taken."""

from django.conf import settings
from django.db import models

from cases.models import Case, Product, RootCause


class Article(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown; raw HTML is shown as text.")
    customer_text = models.TextField(
        blank=True, help_text="Words the agent may send to the customer as they are."
    )
    # Empty lists mean "any": an article about a price change applies to every channel.
    products = models.ManyToManyField(Product, blank=True, related_name="articles")
    journey_stages = models.JSONField(default=list, blank=True)
    root_causes = models.ManyToManyField(RootCause, blank=True, related_name="articles")
    channels = models.JSONField(default=list, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, help_text="Last day it applies.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="article_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class ArticleVersion(models.Model):
    """The article as it was before a change, and who changed it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    customer_text = models.TextField(blank=True)
    changes = models.JSONField(default=dict, help_text="field -> [before, after], as codes and ids.")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_version_unique"),
        ]


class ArticleUse(models.Model):
    """An agent told the customer what an article says, on this case."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="article_uses")
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField()

    class Meta:
        ordering = ["-used_at"]
        constraints = [
            models.UniqueConstraint(fields=["article", "case"], name="article_use_once_per_case"),
        ]
        indexes = [models.Index(fields=["used_at"])]


class TriageModel(models.Model):
    """A trained suggestion model. A row, not a file: every web and worker process loads the
    newest one from the database, wherever it runs."""

    trained_at = models.DateTimeField()
    triaged_cases = models.PositiveIntegerField()
    causes = models.PositiveIntegerField(default=0)
    blob = models.BinaryField()
    seconds = models.FloatField(default=0)
    # The sentence encoder it learnt from (knowledge.embedding.NAME): a model of another one is
    # retrained at the next refresh.
    encoder = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"


class ComplaintVector(models.Model):
    """A triaged case's sentence vector, kept so that retraining embeds only what is new or
    reworded (about 6 ms of CPU a complaint: 10 minutes for 100,000)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # What the vector was computed from, and by which encoder: either changed, it is computed again.
    digest = models.CharField(max_length=64)
    vector = models.BinaryField(help_text="float32, little-endian.")


class SuggestionShown(models.Model):
    """The root causes suggested for a case (best first), and, once the WHY root cause is
    recorded, whether it was one of them and at which rank: the suggestions' real precision."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="suggestion_shown")
    root_causes = models.JSONField(default=list, help_text="Suggested root cause ids, best first.")
    shown_at = models.DateTimeField()
    chosen = models.ForeignKey(RootCause, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 = the first suggestion."
    )
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
