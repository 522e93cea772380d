"""The remedy ledger beyond case and customer, and the first-touch rate per agent and team.

Each breakdown is one grouped query over the cohort's remedies (per currency: amounts are never
added across currencies); the first-touch rates are one grouped query each over the cohort.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from ..models import FIRST_TOUCH_TARGET_DEFAULT, TeamTarget
from . import metrics, rollup
from .pending import model_or_none
from .scope import Scope

# breakdown -> (the key on Remedy, the fields that name it)
LEDGER_KEYS = {
    "agent": ("given_by", ("given_by__first_name", "given_by__last_name", "given_by__username")),
    "team": ("case__team", ("case__team__name",)),
    "kind": ("kind", ("kind__name",)),
    "root_cause": (
        "case__why__root_cause",
        ("case__why__root_cause__parent__name", "case__why__root_cause__name"),
    ),
}


def _name(row: dict, fields: tuple[str, ...], key: str) -> str:
    if key == "agent":
        full = f"{row[fields[0]] or ''} {row[fields[1]] or ''}".strip()
        return full or row[fields[2]]
    if key == "root_cause":
        if row[fields[1]] is None:
            return "No root cause yet"
        return f"{row[fields[0]]} › {row[fields[1]]}" if row[fields[0]] else row[fields[1]]
    return row[fields[0]]


def remedy_ledger(scope: Scope, by: str) -> list[dict] | None:
    """Spend, remedies and the +1 share per agent, team, remedy kind or root cause, biggest first."""
    Remedy = model_or_none("remedies", "Remedy")
    if Remedy is None:
        return None
    key, fields = LEDGER_KEYS[by]
    rows = (
        Remedy.objects.filter(
            scope.q("case__"), case__opened_at__gte=scope.since, case__opened_at__lt=scope.until
        )
        .values(key, *fields, "currency")
        .annotate(total=Sum("amount"), remedies=Count("pk"), plus_one=Count("pk", filter=Q(plus_one=True)))
        .order_by("currency", "-total", key)
    )
    return [
        {
            "value": row[key] if row[key] is not None else "none",
            "label": _name(row, fields, by),
            "currency": row["currency"],
            "total": row["total"],
            "remedies": row["remedies"],
            "plus_one": row["plus_one"],
            "plus_one_share": metrics._share(row["plus_one"], row["remedies"]),
        }
        for row in rows
    ]


def _first_touch_by(scope: Scope, key: str, *names: str) -> list[dict]:
    # Unsliced periods from the per-day rollup, like the period counts.
    if rollup.freshness(scope).source == "rollup":
        return rollup.first_touch_by(scope, key, *names)
    return metrics.first_touch_rows(scope, key, *names)


def first_touch_per_agent(scope: Scope) -> list[dict]:
    """Per person who logged the case: resolved cases and those they fixed alone, no approval."""
    target = Decimal(FIRST_TOUCH_TARGET_DEFAULT)
    rows = _first_touch_by(
        scope, "created_by", "created_by__first_name", "created_by__last_name", "created_by__username"
    )
    out = []
    for row in rows:
        rate = metrics._share(row["first_touch"], row["resolved"])
        name = f"{row['created_by__first_name'] or ''} {row['created_by__last_name'] or ''}".strip()
        out.append(
            {
                "value": row["created_by"] or "none",
                "label": name or row["created_by__username"] or "Other systems",
                "resolved": row["resolved"],
                "first_touch": row["first_touch"],
                "rate": rate,
                "below": rate is not None and rate <= target,
            }
        )
    return sorted(out, key=lambda r: (r["rate"] is None, r["rate"] or 0, str(r["label"])))


def first_touch_per_team(scope: Scope) -> list[dict]:
    """Per team: the rate, the manager's target for it and whether the team is below it."""
    rows = _first_touch_by(scope, "team", "team__name")
    targets = dict(TeamTarget.objects.values_list("team_id", "first_touch_percent"))
    out = []
    for row in rows:
        rate = metrics._share(row["first_touch"], row["resolved"])
        target = targets.get(row["team"], Decimal(FIRST_TOUCH_TARGET_DEFAULT))
        out.append(
            {
                "value": row["team"],
                "label": row["team__name"],
                "resolved": row["resolved"],
                "first_touch": row["first_touch"],
                "rate": rate,
                "target": target,
                "below": rate is not None and Decimal(str(rate)) < target,
            }
        )
    return out
