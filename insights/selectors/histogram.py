"""Fixed buckets for response and resolution times, and percentiles read off them.

A bucket is a minute wide up to 20 minutes, then 5 % wider than the one before (about 220
buckets up to a year; the last one is open). A percentile read off the histogram places the
durations of a bucket evenly inside it and interpolates between neighbours as percentile_cont
does, so it is off by less than the width of the bucket holding the upper neighbour: under a
minute up to 20 minutes, under 5 % of the value beyond (3 minutes at an hour, 2.3 hours at two
days). With hundreds of cases per period the neighbours mostly share a bucket. Beyond a year it is a
floor. The page shows these as "about".
"""

import bisect
import datetime
import math

FINE_UNTIL = 20 * 60  # seconds: one-minute buckets up to here
GROWTH = 1.05
LAST = 366 * 24 * 3600


def _edges() -> list[int]:
    edges = list(range(0, FINE_UNTIL + 1, 60))
    while edges[-1] < LAST:
        edges.append(math.ceil(edges[-1] * GROWTH))
    return edges


# EDGES[i] is the lower bound of bucket i, in seconds; the last bucket has no upper bound.
EDGES = _edges()


def bucket_of(seconds: float) -> int:
    """The bucket a duration falls in (a negative one, a clock skew, in the first)."""
    return max(bisect.bisect_right(EDGES, seconds) - 1, 0)


def width(bucket: int) -> int | None:
    return EDGES[bucket + 1] - EDGES[bucket] if bucket + 1 < len(EDGES) else None


def _value_at(counts: list[tuple[int, int]], position: int) -> float:
    """The position-th smallest duration (0-based), spread evenly inside its bucket."""
    seen = 0
    for bucket, n in counts:
        if position < seen + n:
            low, wide = EDGES[bucket], width(bucket)
            return float(low) if wide is None else low + (position - seen + 0.5) * wide / n
        seen += n
    raise ValueError(position)


def percentile(counts: dict[int, int], fraction: float) -> datetime.timedelta | None:
    """percentile_cont (linear interpolation between neighbours) over the histogram."""
    ordered = sorted((b, n) for b, n in counts.items() if n)
    total = sum(n for _b, n in ordered)
    if not total:
        return None
    position = (total - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    a, b = _value_at(ordered, low), _value_at(ordered, high)
    return datetime.timedelta(seconds=round(a + (b - a) * (position - low)))
