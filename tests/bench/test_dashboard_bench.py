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
def test_the_dashboard_bench_fills_the_current_schema_and_times_every_period_and_figure():
    bench = _bench_module()

    bench.fill(300, analyse=False)
    rows = bench.measure(1)

    from cases.models import Case, WhyAnswer
    from insights.models import DailyFigures
    from remedies.models import Remedy

    assert Case.objects.count() == 300
    assert WhyAnswer.objects.exists() and Remedy.objects.exists()
    assert DailyFigures.objects.exists()  # long periods are timed on the rollup, as beat keeps it
    labels = [label for label, _median, _p95 in rows]
    for role in ("manager", "team lead"):
        assert f"dashboard as {role}, last 365 days, by week" in labels
    for days in (30, 365):  # each figure over the default month and over a year
        assert any(label.startswith(f"  remedy_ledger by root_cause, {days} days") for label in labels)
        assert any(label.startswith(f"  why_breakdown, {days} days") for label in labels)
    assert "  period_counts, 365 days (rollup)" in labels  # a year is timed as the page reads it
    assert "  period_counts, 30 days (rollup)" in labels  # so is a month
    assert "  repeat_customers, 365 days (kept by beat)" in labels
    assert "  remedy_spend, 30 days (rollup)" in labels
    assert all(0 <= median <= p95 for _label, median, p95 in rows)


def test_the_p95_is_interpolated_between_runs_like_percentile_cont():
    bench = _bench_module()

    assert bench.p95([7.0]) == 7.0
    assert bench.p95([1.0, 3.0]) == 2.9
    assert bench.p95([float(i) for i in range(1, 101)]) == 95.05
