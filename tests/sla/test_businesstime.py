from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.businesstime import (
    Calendar,
    add_business_minutes,
    business_minutes_between,
    fraction_instant,
    open_intervals,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NINE_TO_FIVE = ((time(9), time(17)),)
WEEKDAYS = dict.fromkeys(range(5), NINE_TO_FIVE)
EVERY_DAY = dict.fromkeys(range(7), NINE_TO_FIVE)

OFFICE = Calendar(tz="Europe/London", hours=WEEKDAYS)
GB_OFFICE = Calendar(tz="Europe/London", hours=WEEKDAYS, holiday_country="GB", holiday_subdiv="ENG")
ALWAYS = Calendar.twenty_four_seven()

SHAPES = [
    GB_OFFICE,
    Calendar(
        tz="America/New_York",
        hours={day: ((time(8), time(12)), (time(13), time(18))) for day in range(6)},
        holiday_country="US",
        holiday_subdiv="CA",
    ),
    Calendar(
        tz="Asia/Tokyo",
        hours={day: ((time(0), time(6)), (time(22), time(0))) for day in range(7)},
    ),
    Calendar(
        tz="Australia/Sydney",
        hours={5: ((time(10), time(16)),), 6: ((time(10), time.max),)},
    ),
    Calendar.twenty_four_seven("Europe/London"),
]

calendars = st.sampled_from(SHAPES)
starts = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([UTC, LONDON, NEW_YORK]),
)
minutes = st.integers(0, 100_000) | st.floats(0, 100_000, allow_nan=False)
pause_offsets = st.lists(st.tuples(st.integers(-600, 200_000), st.integers(0, 20_000)), max_size=4)
HYPOTHESIS = settings(max_examples=200, deadline=None)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def elapsed(start: datetime, mins: float) -> datetime:
    # Aware arithmetic within one zone is wall-clock arithmetic; go via UTC for real time.
    return start.astimezone(UTC) + timedelta(minutes=mins)


def pauses_from(start: datetime, offsets: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    return [(elapsed(start, a), elapsed(start, a + n)) for a, n in offsets]


def test_it_returns_utc_aware_datetimes():
    due = add_business_minutes(OFFICE, london(2026, 6, 1, 10), 30)
    assert due == datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_it_counts_only_opening_hours_before_the_day_opens():
    assert add_business_minutes(OFFICE, london(2026, 6, 1, 7), 60) == london(2026, 6, 1, 10)


def test_it_rolls_over_closing_time_to_the_next_open_day():
    assert add_business_minutes(OFFICE, london(2026, 6, 1, 16, 30), 60) == london(2026, 6, 2, 9, 30)


def test_it_returns_closing_time_when_the_target_is_met_exactly_at_close():
    assert add_business_minutes(OFFICE, london(2026, 6, 1, 16), 60) == london(2026, 6, 1, 17)


def test_it_skips_weekends():
    friday = london(2026, 6, 5, 16)
    assert add_business_minutes(OFFICE, friday, 120) == london(2026, 6, 8, 10)
    assert business_minutes_between(OFFICE, friday, london(2026, 6, 8, 10)) == 120


def test_it_skips_gb_christmas_and_boxing_day_2026():
    # Christmas is a Friday; Boxing Day (Saturday) is observed on Monday 28th.
    christmas_eve = london(2026, 12, 24, 16)
    assert add_business_minutes(OFFICE, christmas_eve, 120) == london(2026, 12, 25, 10)
    assert add_business_minutes(GB_OFFICE, christmas_eve, 120) == london(2026, 12, 29, 10)


def test_it_skips_us_state_holidays_for_the_subdivision():
    cal = Calendar(
        tz="America/Los_Angeles",
        hours=WEEKDAYS,
        holiday_country="US",
        holiday_subdiv="CA",
    )
    la = ZoneInfo("America/Los_Angeles")
    # Cesar Chavez Day, Tuesday 2026-03-31, is a California holiday.
    due = add_business_minutes(cal, datetime(2026, 3, 30, 16, tzinfo=la), 120)
    assert due == datetime(2026, 4, 1, 10, tzinfo=la)


def test_it_skips_custom_closed_days():
    cal = Calendar(tz="Europe/London", hours=WEEKDAYS, closed_days=frozenset({date(2026, 6, 2)}))
    assert add_business_minutes(cal, london(2026, 6, 1, 16), 120) == london(2026, 6, 3, 10)


def test_it_counts_nothing_when_end_is_not_after_start():
    start = london(2026, 6, 1, 10)
    assert business_minutes_between(OFFICE, start, start) == 0
    assert business_minutes_between(OFFICE, start, start - timedelta(hours=1)) == 0


def test_it_lists_open_intervals_in_utc():
    spans = list(open_intervals(OFFICE, london(2026, 6, 5, 12), london(2026, 6, 8, 10)))
    assert spans == [
        (london(2026, 6, 5, 12), london(2026, 6, 5, 17)),
        (london(2026, 6, 8, 9), london(2026, 6, 8, 10)),
    ]
    assert all(a.tzinfo is UTC and b.tzinfo is UTC for a, b in spans)


def test_a_midnight_close_means_the_end_of_the_day():
    for closes in (time(0), time.max):
        cal = Calendar(tz="Europe/London", hours={0: ((time(18), closes),)})
        assert business_minutes_between(cal, london(2026, 6, 1), london(2026, 6, 3)) == 360
        assert add_business_minutes(cal, london(2026, 6, 1), 360) == london(2026, 6, 2)


def test_pauses_extend_due_by_exactly_their_business_length():
    start = london(2026, 6, 1, 10)
    pause = (london(2026, 6, 1, 16), london(2026, 6, 2, 11))  # 1 + 2 business hours
    assert add_business_minutes(OFFICE, start, 480) == london(2026, 6, 2, 10)
    assert add_business_minutes(OFFICE, start, 480, [pause]) == london(2026, 6, 2, 13)


def test_overlapping_pauses_are_not_double_counted():
    start = london(2026, 6, 1, 9)
    pauses = [
        (london(2026, 6, 1, 10), london(2026, 6, 1, 12)),
        (london(2026, 6, 1, 11), london(2026, 6, 1, 13)),
    ]
    assert add_business_minutes(OFFICE, start, 120, pauses) == london(2026, 6, 1, 14)
    assert business_minutes_between(OFFICE, start, london(2026, 6, 1, 17), pauses) == 300


def test_a_pause_in_closed_time_does_not_move_the_due_time():
    pause = (london(2026, 6, 5, 18), london(2026, 6, 8, 8))
    assert add_business_minutes(OFFICE, london(2026, 6, 5, 16), 120, [pause]) == london(2026, 6, 8, 10)


def test_an_open_ended_pause_before_the_due_time_gives_no_due_time():
    start = london(2026, 6, 1, 9)
    assert add_business_minutes(OFFICE, start, 120, [(london(2026, 6, 1, 10), None)]) is None
    assert business_minutes_between(OFFICE, start, london(2026, 6, 9), [(london(2026, 6, 1, 10), None)]) == 60


def test_an_open_ended_pause_after_the_due_time_changes_nothing():
    start = london(2026, 6, 1, 9)
    assert add_business_minutes(OFFICE, start, 120, [(london(2026, 6, 1, 12), None)]) == london(
        2026, 6, 1, 11
    )


@pytest.mark.parametrize(
    ("zone", "day", "opens_utc"),
    [
        ("Europe/London", date(2026, 3, 29), datetime(2026, 3, 29, 8, tzinfo=UTC)),
        ("Europe/London", date(2026, 10, 25), datetime(2026, 10, 25, 9, tzinfo=UTC)),
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 13, tzinfo=UTC)),
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 14, tzinfo=UTC)),
    ],
)
def test_a_nine_to_five_day_still_has_eight_business_hours_on_a_dst_change(zone, day, opens_utc):
    cal = Calendar(tz=zone, hours=EVERY_DAY)
    midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
    assert business_minutes_between(cal, midnight, midnight + timedelta(days=1)) == 480
    assert add_business_minutes(cal, midnight, 480) == opens_utc + timedelta(hours=8)


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
def test_a_whole_day_lasts_its_real_length_on_a_dst_change(day, hours):
    cal = Calendar(tz="Europe/London", hours={6: ((time(0), time(0)),)})
    midnight = datetime.combine(day, time(0), tzinfo=LONDON)
    [(opens, closes)] = open_intervals(cal, midnight - timedelta(days=1), midnight + timedelta(days=2))
    assert (opens, closes - opens) == (midnight, timedelta(hours=hours))


def test_an_opening_time_in_the_spring_forward_gap_opens_when_the_gap_ends():
    day = (london(2026, 3, 29), london(2026, 3, 30))
    across_gap = Calendar(tz="Europe/London", hours={6: ((time(1, 30), time(3)),)})
    inside_gap = Calendar(tz="Europe/London", hours={6: ((time(1, 10), time(1, 50)),)})
    assert list(open_intervals(across_gap, *day)) == [
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC))
    ]
    assert business_minutes_between(inside_gap, *day) == 0


def test_a_24_7_calendar_ignores_holidays_and_closed_days():
    cal = Calendar(
        tz="Europe/London",
        always_open=True,
        holiday_country="GB",
        closed_days=frozenset({date(2026, 12, 24)}),
    )
    assert add_business_minutes(cal, london(2026, 12, 24), 3 * 1440) == london(2026, 12, 27)


def test_fraction_instant_is_the_due_time_of_that_share_of_the_target():
    start = london(2026, 6, 1, 9)
    assert fraction_instant(OFFICE, start, 480, 0.75) == london(2026, 6, 1, 15)
    assert fraction_instant(OFFICE, start, 480, 0) == start
    with pytest.raises(ValueError):
        fraction_instant(OFFICE, start, 480, 1.5)


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_business_minutes(OFFICE, datetime(2026, 6, 1, 9), 10),
        lambda: business_minutes_between(OFFICE, datetime(2026, 6, 1, 9), london(2026, 6, 2)),
        lambda: business_minutes_between(OFFICE, london(2026, 6, 1), datetime(2026, 6, 2)),
        lambda: open_intervals(OFFICE, london(2026, 6, 1), datetime(2026, 6, 2)),
        lambda: add_business_minutes(OFFICE, london(2026, 6, 1), 10, [(datetime(2026, 6, 1), None)]),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), 1e20])
def test_negative_non_finite_or_unreachable_minutes_are_rejected(bad):
    with pytest.raises(ValueError):
        add_business_minutes(OFFICE, london(2026, 6, 1), bad)


def test_a_pause_that_ends_before_it_starts_is_rejected():
    pause = (london(2026, 6, 1, 12), london(2026, 6, 1, 11))
    with pytest.raises(ValueError, match="ends before"):
        add_business_minutes(OFFICE, london(2026, 6, 1), 10, [pause])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": {}}, "no opening hours"),
        ({"hours": {0: ()}}, "no opening hours"),
        ({"hours": {0: ((time(9), time(13)), (time(12), time(17)))}}, "overlap"),
        ({"hours": {0: ((time(17), time(9)),)}}, "empty"),
        ({"hours": {7: NINE_TO_FIVE}}, "weekday"),
        ({"hours": WEEKDAYS, "tz": "Mars/Olympus"}, "time zone"),
    ],
)
def test_invalid_calendars_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Calendar(**{"tz": "UTC", **kwargs})


def test_a_target_beyond_the_search_horizon_is_rejected():
    rare = Calendar(tz="UTC", hours={0: ((time(9), time(10)),)})
    with pytest.raises(ValueError, match="not reached"):
        add_business_minutes(rare, london(2026, 1, 1), 60 * 600)


@HYPOTHESIS
@given(calendars, starts, minutes)
def test_the_due_time_is_never_before_the_start(cal, start, mins):
    assert add_business_minutes(cal, start, mins) >= start


@HYPOTHESIS
@given(calendars, starts, minutes, minutes)
def test_more_minutes_never_give_an_earlier_due_time(cal, start, a, b):
    low, high = sorted((a, b))
    assert add_business_minutes(cal, start, low) <= add_business_minutes(cal, start, high)


@HYPOTHESIS
@given(calendars, starts, minutes, pause_offsets)
def test_business_minutes_between_start_and_due_time_equal_the_target(cal, start, mins, offsets):
    pauses = pauses_from(start, offsets)
    due = add_business_minutes(cal, start, mins, pauses)
    assert business_minutes_between(cal, start, due, pauses) == pytest.approx(mins, abs=1e-6)


@HYPOTHESIS
@given(calendars, starts, minutes, st.integers(0, 100_000), st.integers(1, 20_000))
def test_a_pause_extends_the_due_time_by_its_business_length(cal, start, mins, offset, length):
    pause = (elapsed(start, offset), elapsed(start, offset + length))
    if pause[0] >= add_business_minutes(cal, start, mins):
        return
    extra = business_minutes_between(cal, *pause)
    paused = add_business_minutes(cal, start, mins, [pause])
    assert abs(paused - add_business_minutes(cal, start, mins + extra)) <= timedelta(microseconds=10)


@HYPOTHESIS
@given(starts, minutes, st.integers(0, 10**7))
def test_a_24_7_calendar_equals_elapsed_time_arithmetic(start, mins, gap):
    end = elapsed(start, gap)
    assert add_business_minutes(ALWAYS, start, mins) == elapsed(start, mins)
    assert business_minutes_between(ALWAYS, start, end) == pytest.approx(gap)


@HYPOTHESIS
@given(calendars, starts, st.integers(0, 200_000))
def test_business_time_never_exceeds_elapsed_time(cal, start, gap):
    end = elapsed(start, gap)
    assert 0 <= business_minutes_between(cal, start, end) <= gap


@HYPOTHESIS
@given(calendars, starts, st.integers(1, 100_000))
def test_a_due_time_never_falls_in_closed_hours_weekends_or_holidays(cal, start, mins):
    due = add_business_minutes(cal, start, mins)
    # Business time was running just before the due time: it never lands inside closed time.
    assert business_minutes_between(cal, due - timedelta(seconds=1), due) > 0


@HYPOTHESIS
@given(
    st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
def test_every_local_day_of_a_nine_to_five_calendar_has_eight_hours_whatever_the_dst(zone, day):
    cal = Calendar(tz=zone, hours=EVERY_DAY)
    midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))
    assert business_minutes_between(cal, midnight, next_midnight) == 480
    opens = datetime.combine(day, time(9), tzinfo=ZoneInfo(zone))
    assert add_business_minutes(cal, midnight, 480) == opens.astimezone(UTC) + timedelta(hours=8)
