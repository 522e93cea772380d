"""The day and month of a budget are those of TIME_ZONE, whatever the clock in UTC or the machine says."""

import datetime
import os
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from remedies import services
from remedies.authority import remaining_authority
from remedies.models import Budget
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def london(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def give(case, actor, kind, amount):
    return services.remedy_give(
        case=case, actor=actor, kind=kind, amount=amount, currency="GBP", confirmed_customer_total=True
    )


def spent_on(user, day: datetime.date) -> Decimal | None:
    row = Budget.objects.filter(user=user, day=day, currency="GBP").first()
    return row.spent if row else None


@pytest.fixture
def machine_in_auckland():
    # A server whose own zone is not TIME_ZONE: Django sets TZ when settings load, so put it back.
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Auckland"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_half_past_midnight_on_the_first_of_april_starts_a_new_day_and_month(
    caps, agent, team, coupon, time_machine
):
    # 00:30 BST is still 31 March in UTC: the spending of March must not count any more.
    Budget.objects.create(user=agent, day=datetime.date(2027, 3, 31), currency="GBP", spent=Decimal("300"))
    Budget.objects.create(user=agent, day=datetime.date(2027, 3, 2), currency="GBP", spent=Decimal("1700"))
    time_machine.move_to(london(2027, 4, 1, 0, 30), tick=False)
    case = factories.open_case(actor=agent, team=team)

    authority = remaining_authority(agent, case)
    result = give(case, agent, coupon, "50")

    assert (authority.day_left, authority.month_left) == (Decimal("300.00"), Decimal("2000.00"))
    assert result.remedy is not None
    assert spent_on(agent, datetime.date(2027, 4, 1)) == Decimal("50")


def test_half_past_eleven_on_the_last_of_march_is_still_march(caps, agent, team, coupon, time_machine):
    Budget.objects.create(user=agent, day=datetime.date(2027, 3, 2), currency="GBP", spent=Decimal("1990"))
    time_machine.move_to(london(2027, 3, 31, 23, 30), tick=False)
    case = factories.open_case(actor=agent, team=team)

    result = give(case, agent, coupon, "20")

    assert result.approval is not None and "this month's budget" in result.reasons[0]
    assert give(case, agent, coupon, "10").remedy is not None
    assert spent_on(agent, datetime.date(2027, 3, 31)) == Decimal("10")


def test_the_new_year_starts_a_new_day_and_month(caps, agent, team, coupon, time_machine):
    Budget.objects.create(user=agent, day=datetime.date(2026, 12, 31), currency="GBP", spent=Decimal("300"))
    Budget.objects.create(user=agent, day=datetime.date(2026, 12, 1), currency="GBP", spent=Decimal("1700"))
    time_machine.move_to(london(2027, 1, 1, 0, 30), tick=False)
    case = factories.open_case(actor=agent, team=team)

    authority = remaining_authority(agent, case)

    assert (authority.day_left, authority.month_left) == (Decimal("300.00"), Decimal("2000.00"))
    assert give(case, agent, coupon, "50").remedy is not None
    assert spent_on(agent, datetime.date(2027, 1, 1)) == Decimal("50")


def test_on_the_night_the_clocks_go_back_the_day_turns_at_london_midnight(
    caps, agent, team, coupon, time_machine
):
    # 31 October 2027: 00:30 BST is 23:30 UTC on the 30th, and the hour from 01:00 comes twice.
    walls = [
        london(2027, 10, 30, 23, 59),
        london(2027, 10, 31, 0, 30),
        london(2027, 10, 31, 1, 30),
        london(2027, 10, 31, 1, 30).replace(fold=1),
        london(2027, 10, 31, 23, 59),
    ]
    for wall in walls:
        time_machine.move_to(wall, tick=False)
        give(factories.open_case(actor=agent, team=team), agent, coupon, "50")

    days = dict(Budget.objects.filter(user=agent).values_list("day", "spent"))
    assert days == {datetime.date(2027, 10, 30): Decimal("50"), datetime.date(2027, 10, 31): Decimal("200")}


def test_a_machine_in_another_zone_books_on_the_day_in_time_zone(
    caps, agent, team, coupon, time_machine, machine_in_auckland
):
    # 23:30 in London on 31 March is already 1 April, 11:30 in Auckland. (A timestamp: an aware
    # destination would make time-machine set TZ to its zone.)
    time_machine.move_to(london(2027, 3, 31, 23, 30).timestamp(), tick=False)
    assert datetime.date.today() == datetime.date(2027, 4, 1)

    give(factories.open_case(actor=agent, team=team), agent, coupon, "50")

    assert spent_on(agent, datetime.date(2027, 3, 31)) == Decimal("50")


def test_the_budget_day_ignores_a_zone_activated_for_the_viewer(caps, agent, team, coupon, time_machine):
    # Showing times in a person's own zone must not move the day their spending belongs to.
    time_machine.move_to(london(2027, 3, 31, 23, 30), tick=False)
    case = factories.open_case(actor=agent, team=team)
    give(case, agent, coupon, "50")

    with timezone.override(ZoneInfo("Pacific/Auckland")):
        authority = remaining_authority(agent, case)
        give(factories.open_case(actor=agent, team=team), agent, coupon, "50")

    assert authority.day_left == Decimal("250.00")
    assert spent_on(agent, datetime.date(2027, 3, 31)) == Decimal("100")
    assert spent_on(agent, datetime.date(2027, 4, 1)) is None
