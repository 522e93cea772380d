"""A period's breakdowns (Pareto, triage, ledger, spend, follow-ups, CSAT, percentiles) read the
daily rollup and give the live figures: exactly for the counts, to within a histogram bucket for
the percentiles. PostgreSQL, as in production: the buckets are computed there."""

import datetime
import math
import random
from decimal import Decimal

import pytest
from django.db import connection

from cases.models import WhatAnswer, WhyAnswer
from insights import services
from insights.models import DailyBreakdown, DailyRemedies
from insights.selectors import breakdowns, histogram, ledger, metrics, pending, triage
from insights.selectors.scope import Scope
from insights.services.rollup import rollup_refresh
from remedies.models import Remedy, RemedyKind
from tests import factories
from tests.insights import dataset

LONG = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 3, 20)}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="percentiles and buckets in PostgreSQL"),
]


@pytest.fixture
def data(time_machine, agent, lead, team, other_team):
    built = dataset.build(time_machine, agent=agent, lead=lead, team=team, other_team=other_team)
    coupon = RemedyKind.objects.get_or_create(code="coupon", defaults={"name": "Coupon"})[0]
    refund = RemedyKind.objects.get_or_create(code="refund", defaults={"name": "Refund"})[0]
    for case, by, kind, amount, plus_one in (
        (built.a, agent, coupon, "10.00", True),
        (built.b, lead, refund, "30.00", False),
        (built.b, lead, coupon, "5.00", False),
        (built.f, built.f.created_by, coupon, "99.00", True),
    ):
        Remedy.objects.create(
            case=case,
            kind=kind,
            amount=Decimal(amount),
            currency="GBP",
            plus_one=plus_one,
            given_by=by,
            given_at=case.opened_at + datetime.timedelta(hours=1),
        )
    WhyAnswer.objects.filter(case=built.a).update(expectations_set="no", checked_in="yes", origin="vendor")
    WhyAnswer.objects.filter(case=built.b).update(expectations_set="yes")
    WhatAnswer.objects.filter(case=built.a).update(part_affected="Lid", journey_stage="delivery")
    return built


def _close(rolled: metrics.Spread, live: metrics.Spread, scope, stop: str):
    """Within a bucket's width (the documented bound): buckets only widen, so the widest one the
    cohort's durations reach bounds them all."""
    assert rolled.count == live.count
    longest = max(
        (
            (b - a).total_seconds()
            for a, b in scope.cohort().filter(**{f"{stop}__isnull": False}).values_list("opened_at", stop)
        ),
        default=0,
    )
    bound = histogram.width(histogram.bucket_of(longest)) + 1  # + rounding to the second
    for got, want in ((rolled.median, live.median), (rolled.p90, live.p90)):
        if want is None:
            assert got is None
            continue
        assert abs((got - want).total_seconds()) <= bound


def _assert_rolled_equals_live(scope):
    rolled = breakdowns.Rolled(scope)
    assert rolled.root_cause_pareto() == metrics.root_cause_pareto(scope)
    assert rolled.why_breakdown() == triage.why_breakdown(scope)
    assert rolled.what_breakdown() == triage.what_breakdown(scope)
    assert rolled.csat() == metrics.csat(scope)
    assert rolled.follow_up_outcomes() == metrics.follow_up_outcomes(scope)
    for by in ("agent", "team", "kind", "root_cause"):
        assert rolled.remedy_ledger(by) == ledger.remedy_ledger(scope, by), by
    # Case B has two remedies: the spend per case divides by cases, not remedies.
    assert rolled.remedy_spend() == pending.remedy_spend(scope)
    _close(rolled.first_response_times(), metrics.first_response_times(scope), scope, "first_responded_at")
    _close(rolled.resolution_times(), metrics.resolution_times(scope), scope, "resolved_at")


def test_after_a_refresh_every_breakdown_read_from_the_rollup_equals_the_live_one(data, manager, lead):
    rollup_refresh()

    for user in (manager, lead):
        _assert_rolled_equals_live(Scope(user=user, **LONG))
    assert DailyBreakdown.objects.exists() and DailyRemedies.objects.exists()


def test_a_period_that_ends_before_a_second_follow_up_counts_the_first(data, manager, agent, time_machine):
    time_machine.move_to(dataset.at(3, 18), tick=False)
    services.follow_up_record(case=data.a, actor=agent, outcome="still_unhappy", retained="no")
    time_machine.move_to(dataset.NOW, tick=False)
    rollup_refresh()

    for end in (datetime.date(2026, 3, 10), datetime.date(2026, 3, 18), LONG["end"]):
        scope = Scope(user=manager, start=LONG["start"], end=end)
        assert breakdowns.Rolled(scope).follow_up_outcomes() == metrics.follow_up_outcomes(scope)


def test_a_change_recomputes_its_day_at_the_next_refresh_and_today_counts_live(
    data, manager, agent, lead, time_machine
):
    rollup_refresh()
    time_machine.move_to(dataset.at(3, 25), tick=False)
    cause = factories.root_cause("Wrong size sent", category="Fulfilment")
    WhyAnswer.objects.filter(case=data.c).update(root_cause=cause, updated_at=dataset.at(3, 25))
    Remedy.objects.create(
        case=data.c,
        kind=RemedyKind.objects.get(code="refund"),
        amount=Decimal("12.50"),
        currency="GBP",
        plus_one=True,
        given_by=agent,
        given_at=dataset.at(3, 25),
    )
    services.follow_up_record(case=data.b, actor=agent, outcome="satisfied", retained="yes")
    today = factories.open_case(actor=agent, team=data.a.team, opened_at=dataset.at(3, 25, 9))
    WhyAnswer.objects.create(case=today, root_cause=cause, origin="ours")
    scope = Scope(user=manager, start=LONG["start"], end=datetime.date(2026, 3, 25))

    assert breakdowns.Rolled(scope).root_cause_pareto() != metrics.root_cause_pareto(scope)  # stale
    rollup_refresh()

    for user in (manager, lead):
        _assert_rolled_equals_live(Scope(user=user, start=LONG["start"], end=datetime.date(2026, 3, 25)))


def test_the_dashboard_reads_the_breakdowns_from_the_rollup_for_a_long_period(client, data, manager):
    rollup_refresh()
    client.force_login(manager)

    page = client.get("/insights/", {"start": "2026-01-01", "end": "2026-03-20"}).content.decode()

    assert "about: read off a histogram" in page
    assert page.count("daily rollup as of") >= 6  # counts, speed, follow-ups, Pareto, CSAT, ledger...
    assert "Delivery time not agreed" in page


def test_percentiles_read_off_the_histogram_are_within_a_bucket_of_the_exact_ones():
    rng = random.Random(7)
    for _ in range(50):
        seconds = [rng.lognormvariate(8, 1.5) for _ in range(rng.randint(1, 400))]
        counts: dict[int, int] = {}
        for s in seconds:
            counts[histogram.bucket_of(s)] = counts.get(histogram.bucket_of(s), 0) + 1
        ordered = sorted(seconds)
        for fraction in (0.5, 0.9):
            exact = metrics.percentile_cont(seconds, fraction)
            read = histogram.percentile(counts, fraction).total_seconds()
            # Interpolated between two neighbours: off by less than the wider one's bucket.
            neighbour = ordered[math.ceil((len(ordered) - 1) * fraction)]
            assert abs(read - exact) <= histogram.width(histogram.bucket_of(neighbour)) + 1


def test_the_buckets_are_a_minute_wide_up_to_twenty_minutes_and_5_percent_beyond():
    assert all(histogram.width(b) == 60 for b in range(20))
    for b in range(20, len(histogram.EDGES) - 1):
        assert histogram.width(b) <= max(60, 0.05 * histogram.EDGES[b] + 1)
    assert histogram.EDGES[-1] >= 366 * 24 * 3600
