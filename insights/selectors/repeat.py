"""Repeat customers for the page: beat's figure for a standard period (as of its run), the live
count otherwise (insights.services.repeat says why they are kept apart)."""

from ..models import RepeatCustomers
from . import metrics
from .scope import Scope


def teams_key(team_ids) -> str:
    """How RepeatCustomers names a set of teams: sorted ids; None (every team) is empty."""
    return "" if team_ids is None else ",".join(str(pk) for pk in sorted(team_ids))


def repeat_customers(scope: Scope) -> dict:
    """metrics.repeat_customers, plus `as_of`: when beat counted them, or None when counted now."""
    stored = None
    if not set(scope.slice) - {"team"}:
        stored = RepeatCustomers.objects.filter(
            start=scope.start, end=scope.end, teams=teams_key(scope.teams())
        ).first()
    if stored is None:
        return {**metrics.repeat_customers(scope), "as_of": None}
    return {
        "customers": stored.customers,
        "cases": stored.cases,
        "top": stored.top,
        "as_of": stored.computed_at,
    }
