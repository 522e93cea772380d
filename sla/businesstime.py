"""Business-time arithmetic for SLA clocks.

Pure module: standard library plus ``holidays``. Every datetime accepted must be
timezone-aware (``ValueError`` otherwise); every datetime returned is UTC-aware.
Opening hours are local wall-clock times in the calendar's IANA zone, so a 9-17
day stays 9-17 local across DST changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

MAX_DAYS = 3660
ONE_DAY = timedelta(days=1)
_FOREVER = datetime.max.replace(tzinfo=UTC)

Interval = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]


def _is_midnight_end(t: time) -> bool:
    return t in (time(0), time.max)


def _seconds(t: time, *, end: bool = False) -> float:
    if end and _is_midnight_end(t):
        return 86400.0
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


@dataclass(frozen=True)
class Calendar:
    """Opening hours, closed days and holidays in one IANA time zone.

    ``hours`` maps weekday (0=Mon..6=Sun) to non-overlapping ``(open, close)``
    wall-time pairs; a missing or empty weekday is closed and a close of
    ``time(0)`` or ``time.max`` means midnight at the end of the day.
    ``closed_days`` and the holidays of ``holiday_country``/``holiday_subdiv``
    close the whole local day. ``always_open`` makes business time equal to
    elapsed time and ignores everything else.
    """

    tz: str
    hours: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    closed_days: frozenset[date] = frozenset()
    holiday_country: str | None = None
    holiday_subdiv: str | None = None
    always_open: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        hours = {day: _checked_day(day, spans) for day, spans in self.hours.items()}
        object.__setattr__(self, "hours", MappingProxyType(hours))
        object.__setattr__(self, "closed_days", frozenset(self.closed_days))
        if not self.always_open and not any(hours.values()):
            raise ValueError("calendar has no opening hours")

    @classmethod
    def twenty_four_seven(cls, tz: str = "UTC") -> Calendar:
        """A calendar that is always open."""
        return cls(tz=tz, always_open=True)


def _checked_day(day: int, spans: Sequence[tuple[time, time]]) -> tuple:
    """Validate one weekday's intervals and return them sorted."""
    if day not in range(7):
        raise ValueError(f"weekday must be 0..6, got {day!r}")
    ordered = tuple(sorted((tuple(s) for s in spans), key=lambda s: _seconds(s[0])))
    previous_end = 0.0
    for opens, closes in ordered:
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError("opening hours must be naive wall-clock times")
        if _seconds(opens) >= _seconds(closes, end=True):
            raise ValueError(f"opening interval {opens}-{closes} is empty")
        if _seconds(opens) < previous_end:
            raise ValueError(f"opening intervals overlap on weekday {day}")
        previous_end = _seconds(closes, end=True)
    return ordered


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def _is_closed_day(cal: Calendar, day: date) -> bool:
    if day in cal.closed_days:
        return True
    if cal.holiday_country is None:
        return False
    return day in _holiday_dates(cal.holiday_country, cal.holiday_subdiv, day.year)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first instant whose local wall time is ``wall`` or later on ``day``.

    Ambiguous (fall-back) times take the earlier instant (fold=0); times in a
    spring-forward gap move forward to the end of the gap, the first instant
    the wall clock shows a later time.
    """
    naive = datetime.combine(day, wall)
    instant = naive.replace(tzinfo=zone).astimezone(UTC)
    if _wall(instant, zone) == naive:
        return instant
    # In a gap: the transition lies between the fold=1 and fold=0 readings.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(microsecond=0)
    lo, hi = 0, math.ceil((instant - low).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if _wall(low + timedelta(seconds=mid), zone) >= naive:
            hi = mid
        else:
            lo = mid + 1
    return low + timedelta(seconds=lo)


def _day_windows(cal: Calendar, day: date, zone: ZoneInfo) -> Iterator[Interval]:
    if _is_closed_day(cal, day):
        return
    for opens, closes in cal.hours.get(day.weekday(), ()):
        start = _to_utc(day, opens, zone)
        if _is_midnight_end(closes):
            end = _to_utc(day + ONE_DAY, time(0), zone)
        else:
            end = _to_utc(day, closes, zone)
        if start < end:
            yield start, end


def _windows(cal: Calendar, start: datetime, end: datetime) -> Iterator[Interval]:
    """UTC open windows of ``cal`` clipped to [start, end), in order."""
    if cal.always_open:
        if start < end:
            yield start, end
        return
    zone = ZoneInfo(cal.tz)
    # A local day's windows lie within that day, so earlier days cannot reach start.
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        for opens, closes in _day_windows(cal, day, zone):
            opens, closes = max(opens, start), min(closes, end)
            if opens < closes:
                yield opens, closes
        day += ONE_DAY


def _aware_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _merged_pauses(pauses: Sequence[Pause]) -> list[Interval]:
    """Pauses as sorted, disjoint UTC intervals; an open end becomes ``_FOREVER``."""
    spans = sorted(
        (
            _aware_utc(s, "pause start"),
            _FOREVER if e is None else _aware_utc(e, "pause end"),
        )
        for s, e in pauses
    )
    merged: list[Interval] = []
    for start, end in spans:
        if end < start:
            raise ValueError(f"pause ends before it starts: {start} > {end}")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _without_pauses(windows: Iterator[Interval], pauses: list[Interval]) -> Iterator[Interval]:
    """Subtract sorted, disjoint ``pauses`` from ordered ``windows``."""
    i = 0
    for start, end in windows:
        while start < end:
            while i < len(pauses) and pauses[i][1] <= start:
                i += 1
            if i == len(pauses) or pauses[i][0] >= end:
                yield start, end
                break
            if pauses[i][0] > start:
                yield start, pauses[i][0]
            start = pauses[i][1]


def open_intervals(cal: Calendar, start: datetime, end: datetime) -> Iterator[Interval]:
    """Yield the UTC intervals within [start, end) when ``cal`` is open, in order."""
    return _windows(cal, _aware_utc(start, "start"), _aware_utc(end, "end"))


def business_minutes_between(
    cal: Calendar, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> float:
    """Business minutes in [start, end) outside closed time and pauses.

    Returns 0 if end <= start. Overlapping pauses count once; a pause with end
    ``None`` lasts forever.
    """
    start, end = _aware_utc(start, "start"), _aware_utc(end, "end")
    merged = _merged_pauses(pauses)
    if end <= start:
        return 0.0
    spans = _without_pauses(_windows(cal, start, end), merged)
    return sum((b - a for a, b in spans), timedelta()) / timedelta(minutes=1)


def add_business_minutes(
    cal: Calendar, start: datetime, minutes: float, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """The earliest UTC instant at which ``minutes`` business minutes have elapsed.

    Counting starts at ``start``; closed time and pauses do not count and
    ``minutes == 0`` returns ``start``. Returns ``None`` when an open-ended pause
    (end ``None``) stops the clock first. Raises ``ValueError`` for negative or
    non-finite minutes, or when the target is not reached within ``MAX_DAYS``.
    """
    start = _aware_utc(start, "start")
    merged = _merged_pauses(pauses)
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
    horizon = start + timedelta(days=MAX_DAYS)
    # An open-ended pause stops the clock for good, so the search ends where it begins.
    stop = merged.pop()[0] if merged and merged[-1][1] == _FOREVER else horizon
    stop = min(stop, horizon)
    # Business time never outruns elapsed time; capping also avoids timedelta overflow.
    remaining = timedelta(minutes=min(minutes, MAX_DAYS * 1440 + 1))
    if not remaining:
        return start
    for opens, closes in _without_pauses(_windows(cal, start, stop), merged):
        if closes - opens >= remaining:
            return opens + remaining
        remaining -= closes - opens
    if stop < horizon:
        return None
    raise ValueError(f"{minutes} business minutes not reached within {MAX_DAYS} days")


def fraction_instant(
    cal: Calendar,
    start: datetime,
    minutes: float,
    fraction: float,
    pauses: Sequence[Pause] = (),
) -> datetime | None:
    """The instant when ``fraction`` (0..1) of a ``minutes`` target has elapsed."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be within 0..1, got {fraction!r}")
    return add_business_minutes(cal, start, minutes * fraction, pauses)
