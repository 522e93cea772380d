"""The targets a manager sets for the dashboard's alerts."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..models import TeamTarget


def team_target_set(*, actor, team, first_touch_percent: Decimal) -> TeamTarget:
    """Managers set what first-touch rate each team should reach; leads see it, agents not."""
    if not getattr(actor, "sees_all_teams", False):
        raise PermissionDenied("Only a manager sets the teams' targets.")
    with transaction.atomic():
        target, _created = TeamTarget.objects.update_or_create(
            team=team,
            defaults={
                "first_touch_percent": first_touch_percent,
                "updated_by": actor,
                "updated_at": timezone.now(),
            },
        )
    return target
