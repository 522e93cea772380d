from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sla.policies import policies_ensure_defaults

LONDON = ZoneInfo("Europe/London")
# A Monday in June, inside office hours: business time and elapsed time run together until 17:00.
MONDAY_10 = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)


@pytest.fixture
def policies(db):
    return policies_ensure_defaults()


@pytest.fixture
def clock_at(time_machine, policies):
    """Freeze time at Monday 10:00 London; call it with another instant to move there."""
    time_machine.move_to(MONDAY_10, tick=False)

    def move(instant):
        time_machine.move_to(instant, tick=False)

    return move
