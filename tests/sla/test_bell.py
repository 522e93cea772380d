"""The bell: one line per case with what each notice is, and a count that follows without a reload."""

import re
from datetime import timedelta

import pytest

from sla.escalation import sweep
from sla.models import Notification
from tests import factories

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db


def test_a_case_that_rang_three_times_is_listed_once_with_each_entry_named(client, agent, team, clock_at):
    case = factories.open_case(actor=agent, team=team, channel="chat", severity="low")
    clock_at(MONDAY_10 + timedelta(minutes=2))
    sweep()
    rows = Notification.objects.filter(recipient=agent, channel="in_app", case=case)
    assert rows.count() >= 2
    client.force_login(agent)
    page = client.get("/sla/notifications/").content.decode()
    assert page.count(f'href="/cases/{case.reference}/"') == 1  # grouped: the case heads its entries once
    kinds = re.findall(r'class="entry-kind entry-(\w+)">(\w+)', page)
    assert ("breach", "Breach") in kinds
    assert {word for word, _label in kinds} >= {"breach"} and len(kinds) == rows.count()


def test_the_bell_polls_for_its_count_and_follows_new_notices(client, agent, team, clock_at):
    client.force_login(agent)
    page = client.get("/cases/").content.decode()
    assert 'hx-get="/sla/bell/' in page and 'hx-trigger="every 30s"' in page
    assert "bell-count" not in client.get("/sla/bell/").content.decode()
    factories.open_case(actor=agent, team=team, channel="chat", severity="low")
    clock_at(MONDAY_10 + timedelta(minutes=2))
    sweep()
    unread = Notification.objects.filter(recipient=agent, channel="in_app", read_at=None).count()
    fragment = client.get("/sla/bell/").content.decode()
    assert f'<span class="bell-count">{unread}</span>' in fragment and "<html" not in fragment
    client.logout()
    assert client.get("/sla/bell/").status_code == 204  # signed out: no login page inside the bell
