"""The triage answers as figures: WHY's origin and yes/no/don't-know answers, WHAT's part
affected and journey stage, over the period's cohort. One query for WHY, two for WHAT."""

from django.db.models import Count, Q

from cases.models import JourneyStage, WhyAnswer
from cases.models.triage import WHY_QUESTIONS, Origin, TriState

from .scope import Scope

PARTS_SHOWN = 10


def _question(name: str) -> str:
    return str(WhyAnswer._meta.get_field(name).verbose_name)


def why_breakdown(scope: Scope) -> dict:
    """Cases of the cohort with a WHY answer: by origin, and by each question's answer."""
    counts = {"answered": Count("pk")}
    counts |= {f"origin_{o.value}": Count("pk", filter=Q(why__origin=o.value)) for o in Origin}
    for name in WHY_QUESTIONS:
        counts |= {f"{name}_{v.value}": Count("pk", filter=Q(**{f"why__{name}": v.value})) for v in TriState}
    # A WHY answer is written after its case opened: bounding updated_at lets PostgreSQL read
    # only the period's answers (the same trick as the root-cause Pareto).
    row = scope.cohort().filter(why__isnull=False, why__updated_at__gte=scope.since).aggregate(**counts)
    answered = row["answered"]
    origin = [{"value": o.value, "label": o.label, "count": row[f"origin_{o.value}"]} for o in Origin]
    origin.append({"value": "", "label": "Not said", "count": answered - sum(r["count"] for r in origin)})
    questions = []
    for name in WHY_QUESTIONS:
        answers = [{"value": v.value, "label": v.label, "count": row[f"{name}_{v.value}"]} for v in TriState]
        unanswered = answered - sum(a["count"] for a in answers)
        questions.append(
            {"name": name, "label": _question(name), "answers": answers, "unanswered": unanswered}
        )
    return {"answered": answered, "origin": origin, "questions": questions}


def what_breakdown(scope: Scope) -> dict:
    """Cases of the cohort with a WHAT answer: by journey stage, and the parts most affected."""
    answered = scope.cohort().filter(what__isnull=False, what__updated_at__gte=scope.since)
    stages = dict(
        answered.exclude(what__journey_stage="").values_list("what__journey_stage").annotate(n=Count("pk"))
    )
    parts = list(
        answered.exclude(what__part_affected="")
        .values_list("what__part_affected")
        .annotate(n=Count("pk"))
        .order_by("-n", "what__part_affected")[:PARTS_SHOWN]
    )
    return {
        "stages": [
            {"value": s.value, "label": s.label, "count": stages.get(s.value, 0)} for s in JourneyStage
        ],
        "parts": [{"value": part, "label": part, "count": n} for part, n in parts],
    }
