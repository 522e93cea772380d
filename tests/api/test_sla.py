"""SLA over the API: a case's clocks, the breached and at-risk list filters, policies and calendars."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from sla.escalation import sweep
from sla.models import BusinessCalendar, Clock, Policy
from tests import factories
from tests.sla.conftest import MONDAY_10, clock_at, policies  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_case(clock_at, agent, team):  # noqa: F811
    """First response due within one minute, 24/7."""
    return factories.open_case(actor=agent, team=team, channel="chat", severity="low")


def refs(answer) -> list[str]:
    assert answer.status_code == 200, answer.json()
    return [c["reference"] for c in answer.json()["results"]]


def test_a_cases_clocks_show_their_deadlines(api, chat_case):
    clocks = {c["kind"]: c for c in api.get(f"/api/v1/cases/{chat_case.reference}/clocks/").json()["results"]}

    first = clocks["first_response"]
    assert first["state"] == "running" and first["paused"] is False
    assert first["due_at"].startswith("2026-06-01T10:01:00")
    assert first["met_at"] is None and first["breached_at"] is None


def test_a_breached_clock_shows_when_it_breached(api, chat_case, clock_at):  # noqa: F811
    clock_at(MONDAY_10 + timedelta(minutes=2))
    sweep()

    first = next(
        c
        for c in api.get(f"/api/v1/cases/{chat_case.reference}/clocks/").json()["results"]
        if c["kind"] == "first_response"
    )
    assert first["state"] == "breached" and first["breached_at"].startswith("2026-06-01T10:01:00")


def test_another_teams_clocks_are_a_404(api, other_team, clock_at):  # noqa: F811
    omar = factories.UserFactory(username="omar", teams=[other_team])
    theirs = factories.open_case(actor=omar, team=other_team)

    assert api.get(f"/api/v1/cases/{theirs.reference}/clocks/").status_code == 404


def test_the_list_filters_breached_and_at_risk_cases(api, agent, team, clock_at):  # noqa: F811
    late = factories.open_case(actor=agent, team=team, channel="chat", severity="low")
    clock_at(MONDAY_10 + timedelta(minutes=5))
    sweep()
    soon = factories.open_case(actor=agent, team=team, channel="chat", severity="low")

    assert refs(api.get("/api/v1/cases/", {"breached": "true"})) == [late.reference]
    assert soon.reference in refs(api.get("/api/v1/cases/", {"at_risk": "true"}))
    assert late.reference not in refs(api.get("/api/v1/cases/", {"at_risk": "true"}))
    assert refs(api.get("/api/v1/cases/", {"breached": "false"})) == [soon.reference]


def test_the_sla_filters_cost_the_same_queries_however_many_cases(api, agent, team, clock_at):  # noqa: F811
    factories.open_case(actor=agent, team=team, channel="chat", severity="low")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/cases/", {"breached": "false", "at_risk": "true"}).status_code == 200
        return len(queries)

    count()  # the first request of a token also records its use
    few = count()
    for _ in range(5):
        factories.open_case(actor=agent, team=team, channel="chat", severity="low")
    assert count() == few


def test_everyone_with_a_token_reads_policies_and_calendars(read_token, policies):  # noqa: F811
    from .conftest import client_for

    client = client_for(read_token[1])
    listed = client.get("/api/v1/sla/policies/").json()["results"]

    assert any(p["is_default"] for p in listed)
    assert all(isinstance(t["minutes"], int) for p in listed for t in p["targets"])
    assert client.get("/api/v1/sla/calendars/").status_code == 200


def test_only_managers_change_a_policy(api, policies, agent, team):  # noqa: F811
    policy = Policy.objects.get(is_default=True)

    answer = api.patch(f"/api/v1/sla/policies/{policy.pk}/", {"description": "Faster"}, format="json")

    assert answer.status_code == 403
    assert Policy.objects.get(pk=policy.pk).description != "Faster"


def test_a_manager_changing_a_target_re_targets_open_clocks(manager, chat_case, clock_at):  # noqa: F811
    clock = Clock.objects.get(case=chat_case, kind="first_response")
    client = APIClient()
    client.force_authenticate(manager)

    answer = client.patch(
        f"/api/v1/sla/policies/{clock.policy_id}/",
        {"targets": [{"kind": "first_response", "minutes": 10}]},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    clock.refresh_from_db()
    assert clock.due_at == MONDAY_10 + timedelta(minutes=10)


def test_impossible_calendar_hours_are_a_400_and_save_nothing(manager, policies):  # noqa: F811
    calendar = BusinessCalendar.objects.create(name="Office", hours={"0": [["09:00", "17:00"]]})
    client = APIClient()
    client.force_authenticate(manager)

    answer = client.patch(
        f"/api/v1/sla/calendars/{calendar.pk}/", {"hours": {"0": [["25:00", "17:00"]]}}, format="json"
    )

    assert answer.status_code == 400
    assert BusinessCalendar.objects.get(pk=calendar.pk).hours == {"0": [["09:00", "17:00"]]}
