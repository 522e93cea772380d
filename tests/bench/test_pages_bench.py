"""bench/pages.py runs here at a tiny size, so a new page, a schema change or a page that stops
answering 200 fails here and not on the day someone takes the figures."""

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from bench import pages


def _url_names(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _url_names(p.url_patterns, ns + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern) and p.name:
            yield f"{ns}{p.name}"


def test_every_named_url_is_timed_or_says_why_not():
    timed = {page.name for page in pages.PAGES}
    names = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if ":" not in name or name.split(":")[0] not in pages.NOT_TIMED_NAMESPACES
    }

    forgotten = names - timed - set(pages.NOT_TIMED)

    assert not forgotten, f"add these to bench/pages.py (PAGES or NOT_TIMED): {sorted(forgotten)}"
    assert not timed & set(pages.NOT_TIMED)


def test_every_timed_page_names_roles_the_bench_knows():
    for page in pages.PAGES:
        assert page.roles and set(page.roles) <= set(pages.ROLES), page.label


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bench fills PostgreSQL (generate_series, jsonb)"
)
def test_the_pages_bench_fills_the_current_schema_and_every_page_answers_each_role():
    pages.seed_demo(30)
    targets = pages.pick_targets()

    pages.fill_team(300, targets, analyse=False)
    rows = pages.measure(targets, requests=1, warmup=0)

    from cases.models import Case
    from sla.models import Clock

    assert Case.objects.filter(team_id=targets.ids["team"], summary__startswith="Bench case").count() == 300
    assert Clock.objects.filter(case__summary__startswith="Bench case", stopped_at__isnull=True).exists()
    measured = {(r["page"], r["role"]) for r in rows}
    assert measured == {(page.label, role) for page in pages.PAGES for role in page.roles}
    assert all(r["queries"] > 0 and r["p95"] >= r["p50"] > 0 for r in rows)
