"""An unsliced period's breakdowns from the daily rollup: the root-cause Pareto, the WHY and WHAT
breakdowns, the remedy ledger, follow-up outcomes, CSAT and the response and resolution
percentiles. The days before today are summed from the rollup's tables; today is computed by the
rollup's own code, unsaved, so both halves count the same way. Each function has the name and
returns the shape of the live one (metrics, triage, ledger); `Rolled` reads each table once per
page.
"""

from collections import Counter
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Team
from cases.models import JourneyStage, RootCause
from cases.models.triage import WHY_QUESTIONS, Origin, TriState

from ..models import (
    Breakdown,
    DailyBreakdown,
    DailyDurations,
    DailyFollowUps,
    DailyRemedies,
    Duration,
    Retained,
)
from ..services import rollup_breakdowns
from . import histogram, ledger, metrics, pending, triage
from .pending import model_or_none
from .rollup import _split
from .scope import Scope

LEDGER_ATTRIBUTES = {
    "agent": "given_by_id",
    "team": "team_id",
    "kind": "kind_id",
    "root_cause": "root_cause_id",
}


class Rolled:
    """One page's reads of the rollup for one scope (sliced by team at most)."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.before, self.today = _split(scope)

    def _stored(self, model):
        return model.objects.filter(self.scope.q(), day__gte=self.before.start, day__lte=self.before.end)

    def _today(self, build) -> list:
        """Today's rows, built live by the rollup's code and kept to the scope's teams."""
        if self.today is None:
            return []
        day, teams = self.today.start, self.scope.teams()
        rows = build({day}, self.today.since, self.today.until, timezone.get_current_timezone())
        return [row for row in rows if teams is None or row.team_id in teams]

    @cached_property
    def counts(self) -> dict[str, Counter]:
        out: dict[str, Counter] = {kind: Counter() for kind in Breakdown.values}
        stored = self._stored(DailyBreakdown).values_list("breakdown", "value").annotate(n=Sum("count"))
        for kind, value, n in stored.order_by():
            out[kind][value] += n
        for row in self._today(rollup_breakdowns.breakdowns):
            out[row.breakdown][row.value] += row.count
        return out

    @cached_property
    def durations(self) -> dict[str, Counter]:
        out: dict[str, Counter] = {kind: Counter() for kind in Duration.values}
        stored = self._stored(DailyDurations).values_list("duration", "bucket").annotate(n=Sum("count"))
        for kind, bucket, n in stored.order_by():
            out[kind][bucket] += n
        for row in self._today(rollup_breakdowns.durations):
            out[row.duration][row.bucket] += row.count
        return out

    @cached_property
    def remedies(self) -> list[DailyRemedies]:
        keys = ("team", "given_by", "kind_id", "root_cause", "currency")
        stored = (
            self._stored(DailyRemedies)
            .values_list(*keys)
            .annotate(n=Sum("remedies"), total=Sum("total"), plus_one=Sum("plus_one"))
        )
        rows = [
            DailyRemedies(
                team_id=team,
                given_by_id=by,
                kind_id=kind,
                root_cause_id=cause,
                currency=currency,
                remedies=n,
                total=total,
                plus_one=plus_one,
            )
            for team, by, kind, cause, currency, n, total, plus_one in stored.order_by()
        ]
        return rows + self._today(rollup_breakdowns.remedies)

    def root_cause_pareto(self, limit: int = 10) -> list[dict]:
        counts = self.counts[Breakdown.ROOT_CAUSE]
        names = {
            str(pk): (name, parent)
            for pk, name, parent in RootCause.objects.filter(pk__in=[int(v) for v in counts]).values_list(
                "pk", "name", "parent__name"
            )
        }
        ranked = sorted(counts.items(), key=lambda item: (-item[1], names.get(item[0], ("", ""))[0]))
        total, running, pareto = sum(counts.values()), 0, []
        for value, n in ranked[:limit]:
            running += n
            name, parent = names.get(value, ("", None))
            pareto.append(
                {
                    "value": int(value),
                    "label": f"{parent} › {name}" if parent else name,
                    "count": n,
                    "cumulative": metrics._share(running, total),
                }
            )
        return pareto

    def why_breakdown(self) -> dict:
        origins, answers = self.counts[Breakdown.WHY_ORIGIN], self.counts[Breakdown.WHY_ANSWER]
        answered = sum(origins.values())
        origin = [{"value": o.value, "label": o.label, "count": origins[o.value]} for o in Origin]
        origin.append({"value": "", "label": "Not said", "count": answered - sum(r["count"] for r in origin)})
        questions = []
        for name in WHY_QUESTIONS:
            rows = [
                {"value": v.value, "label": v.label, "count": answers[f"{name}={v.value}"]} for v in TriState
            ]
            questions.append(
                {
                    "name": name,
                    "label": triage._question(name),
                    "answers": rows,
                    "unanswered": answered - sum(a["count"] for a in rows),
                }
            )
        return {"answered": answered, "origin": origin, "questions": questions}

    def what_breakdown(self) -> dict:
        stages, parts = self.counts[Breakdown.WHAT_STAGE], self.counts[Breakdown.WHAT_PART]
        top = sorted(parts.items(), key=lambda item: (-item[1], item[0]))[: triage.PARTS_SHOWN]
        return {
            "stages": [{"value": s.value, "label": s.label, "count": stages[s.value]} for s in JourneyStage],
            "parts": [{"value": part, "label": part, "count": n} for part, n in top],
        }

    def csat(self) -> dict:
        scores = self.counts[Breakdown.CSAT_SCORE]
        responses = sum(scores.values())
        points = sum(int(score) * n for score, n in scores.items())
        return {
            "responses": responses,
            "average": round(points / responses, 2) if responses else None,
            "csat": metrics._share(scores["4"] + scores["5"], responses),
            "scores": [{"value": i, "label": str(i), "count": scores[str(i)]} for i in range(1, 6)],
        }

    def follow_up_outcomes(self) -> dict:
        # A case's last follow-up in the period: a stored row counts unless its case was followed
        # up again by the period's end.
        last = Q(superseded_on__isnull=True) | Q(superseded_on__gt=self.scope.end)
        counts = Counter(
            dict(self._stored(DailyFollowUps).filter(last).values_list("retained").annotate(n=Sum("count")))
        )
        for row in self._today(rollup_breakdowns.follow_ups):
            counts[row.retained] += row.count
        rows = [{"value": r.value, "label": r.label, "count": counts[r.value]} for r in Retained]
        total = sum(r["count"] for r in rows)
        return {"rows": rows, "total": total, "retention_rate": metrics._share(counts[Retained.YES], total)}

    def _spread(self, kind: str) -> metrics.Spread:
        buckets = self.durations[kind]
        return metrics.Spread(
            sum(buckets.values()), histogram.percentile(buckets, 0.5), histogram.percentile(buckets, 0.9)
        )

    def first_response_times(self) -> metrics.Spread:
        return self._spread(Duration.FIRST_RESPONSE)

    def resolution_times(self) -> metrics.Spread:
        return self._spread(Duration.RESOLUTION)

    def remedy_ledger(self, by: str) -> list[dict] | None:
        if model_or_none("remedies", "Remedy") is None:
            return None
        attribute = {
            "agent": "given_by_id",
            "team": "team_id",
            "kind": "kind_id",
            "root_cause": "root_cause_id",
        }[by]
        sums: dict[tuple, list] = {}
        for row in self.remedies:
            found = sums.setdefault((getattr(row, attribute), row.currency), [0, 0, 0])
            found[0], found[1], found[2] = (
                found[0] + row.total,
                found[1] + row.remedies,
                found[2] + row.plus_one,
            )
        names = _ledger_names(by, {key for key, _currency in sums})
        ordered = sorted(
            sums.items(), key=lambda item: (item[0][1], -item[1][0], item[0][0] is None, item[0][0] or 0)
        )
        return [
            {
                "value": key if key is not None else "none",
                "label": ledger._name(names.get(key, {}), ledger.LEDGER_KEYS[by][1], by),
                "currency": currency,
                "total": total,
                "remedies": n,
                "plus_one": plus_one,
                "plus_one_share": metrics._share(plus_one, n),
            }
            for (key, currency), (total, n, plus_one) in ordered
        ]

    def remedy_spend(self) -> list[dict] | None:
        """pending.remedy_spend, summed from the rollup: per currency, never added across."""
        if model_or_none("remedies", "Remedy") is None:
            return None
        sums: dict[str, list] = {}
        for row in self.remedies:
            found = sums.setdefault(row.currency, [0, 0, 0])
            found[0], found[1], found[2] = (
                found[0] + row.total,
                found[1] + row.remedies,
                found[2] + row.plus_one,
            )
        cases = self.counts[Breakdown.REMEDY_CASES]
        return [
            pending.spend_row(
                currency=currency, total=total, remedies=n, plus_one=plus_one, cases=cases[currency]
            )
            for currency, (total, n, plus_one) in sorted(sums.items())
        ]


def _ledger_names(by: str, keys: set) -> dict:
    """Per key, the fields the live ledger names it by (ledger.LEDGER_KEYS), one query."""
    fields = ledger.LEDGER_KEYS[by][1]
    ids = [k for k in keys if k is not None]
    if by == "agent":
        rows = (
            get_user_model()
            .objects.filter(pk__in=ids)
            .values_list("pk", "first_name", "last_name", "username")
        )
    elif by == "team":
        rows = Team.objects.filter(pk__in=ids).values_list("pk", "name")
    elif by == "kind":
        rows = model_or_none("remedies", "RemedyKind").objects.filter(pk__in=ids).values_list("pk", "name")
    else:
        rows = RootCause.objects.filter(pk__in=ids).values_list("pk", "parent__name", "name")
    names = {pk: dict(zip(fields, rest, strict=True)) for pk, *rest in rows}
    names[None] = dict.fromkeys(fields)  # no root cause yet, or given by another system
    return names


# The live functions' names, for callers that pick a reader per figure (the bench).
def root_cause_pareto(scope: Scope, limit: int = 10) -> list[dict]:
    return Rolled(scope).root_cause_pareto(limit)


def why_breakdown(scope: Scope) -> dict:
    return Rolled(scope).why_breakdown()


def what_breakdown(scope: Scope) -> dict:
    return Rolled(scope).what_breakdown()


def csat(scope: Scope) -> dict:
    return Rolled(scope).csat()


def follow_up_outcomes(scope: Scope) -> dict:
    return Rolled(scope).follow_up_outcomes()


def first_response_times(scope: Scope) -> metrics.Spread:
    return Rolled(scope).first_response_times()


def resolution_times(scope: Scope) -> metrics.Spread:
    return Rolled(scope).resolution_times()


def remedy_ledger(scope: Scope, by: str) -> list[dict] | None:
    return Rolled(scope).remedy_ledger(by)


def remedy_spend(scope: Scope) -> list[dict] | None:
    return Rolled(scope).remedy_spend()


class Live:
    """The same figures as Rolled, read live: today alone, sliced periods, or before the first run."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def __getattr__(self, name: str):
        module = ledger if name == "remedy_ledger" else triage if name.endswith("_breakdown") else metrics
        module = pending if name == "remedy_spend" else module
        figure = getattr(module, name)
        return lambda *args: figure(self.scope, *args)
