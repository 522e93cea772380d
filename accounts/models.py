"""People and teams: who works cases, and who sees which."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .history import RuleHistory


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    TEAM_LEAD = "team_lead", "Team lead"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    lead = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
        help_text="Receives escalations and approval requests for this team.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    phone = models.CharField(max_length=32, blank=True)

    # Roles are rules: who may give, approve and see. A sign-in is not a change of one.
    history = RuleHistory(excluded_fields=["password", "last_login"], ignore_only=("last_login", "password"))

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_all_teams(self) -> bool:
        """Managers and admins see every team's cases; agents and leads see their own teams'."""
        return self.is_superuser or self.role in {Role.MANAGER, Role.ADMIN}

    @property
    def my_teams(self) -> list["Team"]:
        """The teams this person works in, read once per instance (one request, one task): the
        checks of one write ask several times. Changing the membership forgets it."""
        if "_my_teams" not in self.__dict__:
            self._my_teams = list(self.teams.all()) if self.pk else []
        return self._my_teams

    @property
    def team_ids(self) -> frozenset[int]:
        return frozenset(team.pk for team in self.my_teams)

    def works_in(self, team) -> bool:
        """Whether this person works `team`'s cases (a team or its id)."""
        return self.sees_all_teams or getattr(team, "pk", team) in self.team_ids

    @property
    def leads(self) -> bool:
        """Team leads and above take the WHY and WHAT DIFFERENT steps and approve."""
        return self.is_superuser or self.role in {Role.TEAM_LEAD, Role.MANAGER, Role.ADMIN}


class FormToken(models.Model):
    """A browser form's one-use token, claimed when the form is sent (see accounts.formtokens).

    A row in the database, not a per-process cache, so every web worker sees the same claims.
    """

    token = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.token
