import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches

from sla.policies import policies_ensure_defaults
from tests import factories

LONDON = ZoneInfo("Europe/London")
# A Monday in June inside office hours (Mon-Fri 09:00-17:00 London): slots every half hour.
MONDAY_10 = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
LINK = re.compile(r"https?://[^/\s]+(/c/[^/\s]+/)")


@pytest.fixture(autouse=True)
def policies(db):
    return policies_ensure_defaults()


@pytest.fixture(autouse=True)
def fresh_throttle():
    # Only this run's keys: clear() on Redis empties the whole database, which other runs side
    # by side (and their Celery broker) share.
    cache = caches["api"]
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{cache.key_prefix}:*"):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(MONDAY_10, tick=False)

    def move(instant):
        time_machine.move_to(instant, tick=False)

    return move


@pytest.fixture
def sam(db):
    return factories.CustomerFactory(name="Sam Okafor", email="", phone="+44 7700 900123")


@pytest.fixture
def phoned(monday, agent, lead, team, sam):
    team.lead = lead
    team.save()
    return factories.open_case(actor=agent, team=team, customer=sam, channel="phone", owner=agent)


def link_path(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(1)
