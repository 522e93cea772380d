"""Repeat customers of the standard periods are kept by beat and shown "as of" its run; any other
period, or a slice, is counted live. Stored or live, the figure is the same."""

import datetime

import pytest

from insights.models import RepeatCustomers
from insights.selectors import metrics, repeat
from insights.selectors.scope import Scope
from insights.services.repeat import STANDARD_DAYS, repeat_customers_refresh
from tests import factories
from tests.insights import dataset

pytestmark = pytest.mark.django_db

TODAY = dataset.NOW.date()


@pytest.fixture
def data(time_machine, agent, lead, team, other_team):
    return dataset.build(time_machine, agent=agent, lead=lead, team=team, other_team=other_team)


def _month(user, **slice_):
    return Scope(user=user, start=TODAY - datetime.timedelta(days=29), end=TODAY, slice=slice_)


def test_after_a_refresh_the_standard_periods_are_read_as_of_the_run_and_equal_the_live_count(
    data, manager, lead
):
    repeat_customers_refresh()

    for user in (manager, lead):
        for days in STANDARD_DAYS:
            scope = Scope(user=user, start=TODAY - datetime.timedelta(days=days - 1), end=TODAY)
            shown = repeat.repeat_customers(scope)
            assert shown["as_of"] == dataset.NOW
            assert {**shown, "as_of": None} == {**metrics.repeat_customers(scope), "as_of": None}
    assert repeat.repeat_customers(_month(lead))["customers"] == 1  # customer X, three cases


def test_another_period_or_a_slice_other_than_a_leads_teams_is_counted_live(data, manager):
    repeat_customers_refresh()

    other = Scope(user=manager, start=TODAY - datetime.timedelta(days=20), end=TODAY)
    assert repeat.repeat_customers(other)["as_of"] is None
    assert repeat.repeat_customers(_month(manager, channel="phone"))["as_of"] is None
    # A team slice is a set of teams like any other: the lead's one team was counted by beat.
    by_team = _month(manager, team=data.a.team_id)
    assert repeat.repeat_customers(by_team) == {**metrics.repeat_customers(by_team), "as_of": dataset.NOW}


def test_a_new_case_shows_at_the_next_refresh_and_yesterdays_periods_are_dropped(
    data, manager, agent, team, time_machine
):
    repeat_customers_refresh()
    time_machine.move_to(dataset.NOW + datetime.timedelta(hours=1), tick=False)
    factories.open_case(actor=agent, team=team, customer=data.b.customer)

    assert repeat.repeat_customers(_month(manager))["customers"] == 1  # as of the last run
    repeat_customers_refresh()
    assert repeat.repeat_customers(_month(manager))["customers"] == 2

    time_machine.move_to(dataset.NOW + datetime.timedelta(days=1), tick=False)
    repeat_customers_refresh()
    assert not RepeatCustomers.objects.filter(end=TODAY).exists()


def test_the_page_says_when_repeat_customers_were_counted(client, data, manager):
    client.force_login(manager)
    assert (
        'Repeat customers <span class="muted small freshness">· live'
        in client.get("/insights/").content.decode()
    )

    repeat_customers_refresh()

    page = client.get("/insights/").content.decode()
    assert 'Repeat customers <span class="muted small freshness">· as of 20 Mar 12:00' in page


def test_beat_ticks_the_repeat_customers(settings):
    from insights.tasks import repeat_customers_refresh_task

    entry = settings.CELERY_BEAT_SCHEDULE["insights-repeat-customers-refresh"]
    assert entry["task"] == repeat_customers_refresh_task.name == "insights.repeat_customers_refresh"
