"""A person's own ways of looking at the queue."""

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A named set of queue filters and a sort, kept per person (`params` is the query string)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    params = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="cases_saved_view_name_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.name}"
