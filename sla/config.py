"""The SLA's static configuration, read once per process (cases.config) and dropped on change:
policies with their targets and escalation steps, business calendars and which team counts in
which. Opening a case reads none of it from the database."""

from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from cases import config

from . import businesstime
from .models import BusinessCalendar, EscalationStep, Policy, PolicyKind, Target, TeamCalendar

NAME = "sla"


@dataclass
class SlaConfig:
    policies: list[Policy]
    targets: dict[int, list[Target]]  # policy id -> its targets, steps prefetched
    team_calendar: dict[int, BusinessCalendar]
    calendars: dict[int, BusinessCalendar]
    office_hours: BusinessCalendar | None
    _computed: dict[int, businesstime.Calendar] = field(default_factory=dict)

    def calendar(self, calendar_id: int) -> businesstime.Calendar:
        if calendar_id not in self._computed:
            self._computed[calendar_id] = self.calendars[calendar_id].as_calendar()
        return self._computed[calendar_id]


def _load() -> SlaConfig:
    from .policies import OFFICE_HOURS

    policies = list(Policy.objects.filter(active=True).order_by("pk"))
    targets: dict[int, list[Target]] = {p.pk: [] for p in policies}
    for target in Target.objects.filter(policy__in=policies).prefetch_related("steps").order_by("pk"):
        targets[target.policy_id].append(target)
    by_pk = {p.pk: p for p in policies}
    for policy_targets in targets.values():
        for target in policy_targets:
            target.policy = by_pk[target.policy_id]
    calendars = {c.pk: c for c in BusinessCalendar.objects.all()}
    team_calendar = {link.team_id: calendars[link.calendar_id] for link in TeamCalendar.objects.all()}
    office = next((c for c in calendars.values() if c.name == OFFICE_HOURS), None)
    return SlaConfig(
        policies=policies,
        targets=targets,
        team_calendar=team_calendar,
        calendars=calendars,
        office_hours=office,
    )


def sla_config() -> SlaConfig:
    return config.cached(NAME, _load)


def operational(config_: SlaConfig) -> list[Policy]:
    return [p for p in config_.policies if p.kind == PolicyKind.OPERATIONAL]


def _changed(**kwargs) -> None:
    config.changed(NAME)


def register() -> None:
    for model in (Policy, Target, EscalationStep, BusinessCalendar, TeamCalendar):
        post_save.connect(_changed, sender=model, dispatch_uid=f"sla-config-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"sla-config-delete-{model.__name__}")
