"""Managers set who may give how much without asking: caps per role or person, per remedy kind,
per remedy, case, day and month. Each save and delete lands in the cap's history with its author."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import AuthorityCap


def require_cap_keeper(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.sees_all_teams:
        raise PermissionDenied("Authority caps are set by managers and admins.")


def cap_save(*, cap: AuthorityCap, actor) -> AuthorityCap:
    """Create or change a cap. `ValidationError` (by field) when it breaks a rule: both or neither
    of role and person, a second cap for the same role or person and kind, a negative limit."""
    require_cap_keeper(actor)
    if cap.user_id:
        cap.role = ""  # a person's own cap overrides their role's; it is not also a role's
    cap.full_clean()
    cap._history_user = actor  # the history names who set it, whatever door it came through
    with transaction.atomic():
        cap.save()
    return cap


def cap_delete(*, cap: AuthorityCap, actor) -> None:
    """Remove a cap: the person or role falls back to the next most general one (or none)."""
    require_cap_keeper(actor)
    cap._history_user = actor
    with transaction.atomic():
        cap.delete()
