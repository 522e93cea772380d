"""bench/triage_scale.py runs in CI at a tiny size, so a schema or model change that breaks it
fails here and not on the day someone needs the 100k figures."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench" / "triage_scale.py"

pytestmark = pytest.mark.django_db


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_triage_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bench fills PostgreSQL (unnest ... WITH ORDINALITY)"
)
def test_the_triage_scale_bench_fills_triaged_cases_retrains_and_times_suggestions():
    bench = _bench_module()

    bench.fill(90, analyse=False)
    seconds = bench.retrain()
    first, times = bench.suggestion_times(5)

    from cases.models import WhyAnswer
    from knowledge.models import TriageModel

    assert WhyAnswer.objects.filter(root_cause__isnull=False).count() == 90
    newest = TriageModel.objects.first()
    assert newest.triaged_cases == 90 and newest.causes == 15
    assert seconds > 0 and first > 0 and len(times) == 5


def test_its_complaints_cover_every_cause_in_the_labelled_sets_wording():
    bench = _bench_module()

    rows = bench.texts(30)

    assert len({cause for *_, cause in rows}) == 15
    assert all(text and product and stage and severity for text, product, stage, severity, _ in rows)
