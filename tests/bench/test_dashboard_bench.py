"""bench/dashboard.py runs in CI at a tiny size, so a schema change that breaks it fails here and
not on the day someone needs the 1M figures."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dashboard.py"

pytestmark = pytest.mark.django_db


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_dashboard", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bench fills PostgreSQL (setseed, generate_series)"
)
def test_the_dashboard_bench_fills_the_current_schema_and_times_every_period():
    bench = _bench_module()

    bench.fill(300, analyse=False)
    rows = bench.measure(1)

    from cases.models import Case, WhyAnswer
    from insights.models import DailyFigures
    from remedies.models import Remedy

    assert Case.objects.count() == 300
    assert WhyAnswer.objects.exists() and Remedy.objects.exists()
    assert DailyFigures.objects.exists()  # long periods are timed on the rollup, as beat keeps it
    labels = [label for label, _ms in rows]
    for role in ("manager", "team lead"):
        assert f"dashboard as {role}, last 365 days, by week" in labels
    assert "  remedy_ledger by root_cause" in labels and "  why_breakdown" in labels
    assert all(ms >= 0 for _label, ms in rows)
