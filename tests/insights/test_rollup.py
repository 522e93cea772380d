"""Periods before today read the per-day rollup that beat keeps for the days whose cases changed; the
figures equal the live ones once it has run, and the page says how fresh they are."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services as case_services
from cases.workflow import Action
from insights.models import DailyFigures
from insights.selectors import metrics, rollup
from insights.selectors.scope import Scope
from insights.services.rollup import rollup_refresh
from tests import factories
from tests.insights import dataset

LONG = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 3, 20)}

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(time_machine, agent, lead, team, other_team):
    return dataset.build(time_machine, agent=agent, lead=lead, team=team, other_team=other_team)


@pytest.mark.parametrize("bucket", ["day", "week"])
def test_after_a_refresh_the_rollup_gives_the_live_counts_and_trend_as_manager_and_lead(
    data, manager, lead, bucket
):
    rollup_refresh()

    for user in (manager, lead):
        scope = Scope(user=user, bucket=bucket, **LONG)
        assert rollup.freshness(scope).source == "rollup"
        assert rollup.period_counts(scope) == metrics.period_counts(scope)
        assert rollup.trend(scope) == metrics.trend(scope)
    assert DailyFigures.objects.exists()


def test_a_change_reaches_the_rollup_at_the_next_refresh_and_only_its_days_are_recomputed(
    data, manager, agent, time_machine
):
    rollup_refresh()
    untouched = DailyFigures.objects.get(day=datetime.date(2026, 2, 15))  # case E's day
    time_machine.move_to(dataset.at(3, 25), tick=False)
    case_services.case_transition(
        case=data.c, action=Action.RESOLVE, actor=agent, data={"resolution": "Fixed."}
    )
    scope = Scope(user=manager, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 24))

    assert rollup.period_counts(scope)["resolved"] == metrics.period_counts(scope)["resolved"] - 1  # stale
    rollup_refresh()

    assert rollup.period_counts(scope) == metrics.period_counts(scope)
    assert rollup.trend(
        Scope(user=manager, start=scope.start, end=datetime.date(2026, 3, 25))
    ) == metrics.trend(Scope(user=manager, start=scope.start, end=datetime.date(2026, 3, 25)))
    untouched.refresh_from_db()
    assert untouched.refreshed_at < DailyFigures.objects.get(day=datetime.date(2026, 3, 5)).refreshed_at


def test_a_month_reads_the_rollup_and_a_sliced_period_or_today_alone_is_live_and_the_page_says_which(
    client, data, manager, time_machine
):
    rollup_refresh()
    client.force_login(manager)
    month = Scope(user=manager, start=datetime.date(2026, 3, 1), end=LONG["end"])

    assert rollup.freshness(month).source == "rollup"
    assert rollup.period_counts(month) == metrics.period_counts(month)
    assert rollup.trend(month) == metrics.trend(month)
    sliced = Scope(user=manager, slice={"channel": "phone"}, **LONG)
    assert rollup.freshness(sliced).source == "live"
    today = timezone.localdate()
    assert rollup.freshness(Scope(user=manager, start=today, end=today)).source == "live"
    month_page = client.get("/insights/", {"start": "2026-03-01", "end": "2026-03-20"}).content.decode()
    sliced_page = client.get(
        "/insights/", {"start": "2026-03-01", "end": "2026-03-20", "channel": "phone"}
    ).content.decode()
    assert "daily rollup as of" in month_page
    assert "daily rollup as of" not in sliced_page and "· live" in sliced_page


def test_before_the_first_refresh_a_long_period_is_counted_live(data, manager):
    assert rollup.freshness(Scope(user=manager, **LONG)).source == "live"


def _queries(client, params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/insights/", params).status_code == 200
    return len(captured)


def test_a_long_period_costs_no_more_queries_with_more_cases_and_days(
    client, data, manager, agent, team, time_machine
):
    rollup_refresh()
    client.force_login(manager)
    params = {"start": "2026-01-01", "end": "2026-03-20", "bucket": "week"}
    before = _queries(client, params)
    for day in (3, 8, 14):
        time_machine.move_to(dataset.at(1, day), tick=False)
        factories.open_case(actor=agent, team=team, opened_at=dataset.at(1, day))
    time_machine.move_to(dataset.NOW, tick=False)
    rollup_refresh()

    assert _queries(client, params) == before


def test_beat_ticks_the_rollup():
    entry = settings.CELERY_BEAT_SCHEDULE["insights-rollup-refresh"]

    assert entry["task"] == "insights.rollup_refresh"
    from insights.tasks import rollup_refresh_task

    assert rollup_refresh_task.name == "insights.rollup_refresh"


def test_first_touch_per_agent_and_team_read_the_rollup_for_long_periods_and_match_live(data, manager, lead):
    from insights.selectors import ledger

    rollup_refresh()
    for user in (manager, lead):
        scope = Scope(user=user, **LONG)
        for key, names in (
            ("created_by", ("created_by__first_name", "created_by__last_name", "created_by__username")),
            ("team", ("team__name",)),
        ):
            assert rollup.first_touch_by(scope, key, *names) == metrics.first_touch_rows(scope, key, *names)
        assert ledger.first_touch_per_agent(scope)  # the page's rows come from there


def test_a_leads_page_reads_their_teams_once_however_many_figures_split_the_period(
    client, data, manager, lead
):
    rollup_refresh()
    params = {"start": "2026-01-01", "end": "2026-03-20"}
    client.force_login(manager)
    managers = _queries(client, params)
    client.force_login(lead)

    assert _queries(client, params) <= managers + 1  # + the lead's teams
