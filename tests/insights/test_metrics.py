"""Every dashboard figure on the hand-made data set, compared with the numbers counted by hand."""

import datetime

import pytest

from cases.models import Case
from insights.selectors import metrics
from insights.selectors.scope import Scope
from tests import factories
from tests.insights import dataset

START, END = datetime.date(2026, 3, 1), datetime.date(2026, 3, 20)
H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)


@pytest.fixture
def data(time_machine, agent, lead, team, other_team):
    return dataset.build(time_machine, agent=agent, lead=lead, team=team, other_team=other_team)


def scope(user, **kwargs):
    return Scope(user=user, start=START, end=END, **kwargs)


def test_it_counts_the_cases_opened_in_the_period_and_their_first_touch_fixes(data, lead):
    counts = metrics.period_counts(scope(lead))

    assert counts["opened"] == 4  # A, B, C, D; E is older, F is another team's
    assert counts["responded"] == 3
    assert counts["resolved"] == 2
    assert counts["first_touch"] == 1  # A; B was handed off
    assert counts["first_touch_rate"] == 50.0
    assert counts["handoffs"] == 1
    assert counts["handoffs_per_case"] == 0.25


def test_it_gives_median_and_p90_of_first_response_and_resolution(data, lead):
    first, resolution = metrics.first_response_times(scope(lead)), metrics.resolution_times(scope(lead))

    # 30, 60 and 120 minutes: p90 interpolates 80 % of the way from 60 to 120.
    assert (first.count, first.median, first.p90) == (3, 60 * MIN, 108 * MIN)
    # 4 h and 10 h.
    assert (resolution.count, resolution.median, resolution.p90) == (2, 7 * H, 9 * H + 24 * MIN)


def test_it_shows_cases_not_closed_by_status_and_stage_and_the_load_per_owner(data, lead, agent):
    by_status = {row["value"]: row["count"] for row in metrics.now_by_status(scope(lead))}
    by_stage = {row["value"]: row["count"] for row in metrics.now_by_stage(scope(lead))}
    load = metrics.owner_load(scope(lead))

    assert by_status == {"new": 2, "responded": 1, "waiting_on_customer": 0, "resolved": 0, "followed_up": 2}
    assert by_stage == {"what": 2, "why": 3, "different": 0, "done": 0}
    assert load == [{"value": agent.pk, "label": "Ava", "count": 3}]


def test_it_counts_follow_up_outcomes_and_csat_recorded_in_the_period(data, lead):
    follow_ups = metrics.follow_up_outcomes(scope(lead))
    csat = metrics.csat(scope(lead))

    assert {r["value"]: r["count"] for r in follow_ups["rows"]} == {"yes": 1, "no": 0, "unknown": 1}
    assert follow_ups["retention_rate"] == 50.0
    assert (csat["responses"], csat["average"], csat["csat"]) == (2, 4.0, 50.0)
    assert [r["count"] for r in csat["scores"]] == [0, 0, 1, 0, 1]


def test_it_counts_only_the_latest_follow_up_of_a_case(data, lead, agent, time_machine):
    from insights import services

    time_machine.move_to(dataset.at(3, 18), tick=False)
    services.follow_up_record(case=data.a, actor=agent, outcome="satisfied", retained="no")

    rows = metrics.follow_up_outcomes(scope(lead))["rows"]

    assert {r["value"]: r["count"] for r in rows} == {"yes": 0, "no": 1, "unknown": 1}


def test_it_ranks_root_causes_with_their_cumulative_share(data, lead):
    pareto = metrics.root_cause_pareto(scope(lead))

    assert [(r["value"], r["count"], r["cumulative"]) for r in pareto] == [
        (data.cause1.pk, 2, 66.7),
        (data.cause2.pk, 1, 100.0),
    ]
    assert pareto[0]["label"] == "Expectations › Delivery time not agreed"


def test_it_finds_customers_with_two_or_more_cases(data, lead):
    repeat = metrics.repeat_customers(scope(lead))

    assert (repeat["customers"], repeat["cases"]) == (1, 3)
    assert repeat["top"][0]["value"] == data.a.customer_id


def test_it_gives_the_trend_by_day_and_by_week(data, lead):
    days = {row["bucket"]: (row["opened"], row["resolved"]) for row in metrics.trend(scope(lead))}
    weeks = metrics.trend(scope(lead, bucket="week"))

    assert len(days) == 20
    assert days[datetime.date(2026, 3, 2)] == (1, 1)
    assert days[datetime.date(2026, 3, 3)] == (1, 1)
    assert days[datetime.date(2026, 3, 10)] == (1, 0)
    assert sum(o for o, _ in days.values()) == 4
    # Weeks start on Monday: 23 Feb (holding 1 Mar), 2, 9 and 16 Mar.
    assert [(w["bucket"].day, w["opened"], w["resolved"]) for w in weeks] == [
        (23, 0, 0),
        (2, 3, 2),
        (9, 1, 0),
        (16, 0, 0),
    ]
    assert weeks[0]["start"] == START


def test_a_lead_sees_only_their_teams_figures_and_a_manager_sees_all(data, lead, manager):
    assert metrics.period_counts(scope(lead))["opened"] == 4
    assert metrics.period_counts(scope(manager))["opened"] == 5
    assert sum(r["count"] for r in metrics.now_by_status(scope(manager))) == 6


def test_it_narrows_every_figure_to_the_chosen_slice(data, manager, other_team):
    only_other = scope(manager, slice={"team": other_team.pk})

    assert metrics.period_counts(only_other)["opened"] == 1
    assert metrics.csat(only_other)["responses"] == 0
    assert metrics.root_cause_pareto(only_other) == []
    assert metrics.period_counts(scope(manager, slice={"channel": "email"}))["opened"] == 0


def test_percentile_fallback_matches_postgres_interpolation():
    assert metrics.percentile_cont([30, 60, 120], 0.9) == 108
    assert metrics.percentile_cont([5], 0.5) == 5
    assert metrics.percentile_cont([], 0.5) is None


def test_a_deactivated_lead_sees_no_figures(data, lead):
    lead.is_active = False
    lead.save()

    assert metrics.period_counts(scope(lead))["opened"] == 0
    assert metrics.owner_load(scope(lead)) == []


def test_unassigned_cases_read_unassigned_in_the_load_per_owner_not_none_none(lead, team):
    case = factories.open_case(actor=lead, team=team)
    Case.objects.filter(pk=case.pk).update(owner=None)

    load = metrics.owner_load(Scope(user=lead, start=START, end=END))

    assert {"value": "none", "label": "Unassigned", "count": 1} in load
    assert all("None" not in row["label"] for row in load)
