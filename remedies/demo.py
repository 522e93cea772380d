"""Default caps and a few remedies for the demo data set, all through the services."""

from decimal import Decimal

from accounts.models import Role

from .models import AuthorityCap

# role: (per remedy, per case, per day, per month); None is no limit.
DEFAULT_CAPS = {
    Role.AGENT: ("50", "100", "300", "2000"),
    Role.TEAM_LEAD: ("500", "1000", "3000", "20000"),
    Role.MANAGER: (None, None, None, None),
    Role.ADMIN: (None, None, None, None),
}


def install_default_caps() -> None:
    """One cap per role for every kind, unless one is already there (an admin may have changed it)."""
    for role, limits in DEFAULT_CAPS.items():
        values = dict(zip(AuthorityCap.LIMITS, (Decimal(v) if v else None for v in limits), strict=True))
        AuthorityCap.objects.get_or_create(role=role, user=None, kind=None, defaults=values)
