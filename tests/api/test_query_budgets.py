"""What one API answer may cost in queries. The token's own lookup counts as one of them when the
token is not yet known to the process; the teams, products and people a case shows are read once per
process and change (cases.directory), so each test reads once before counting."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CustomerExternalId
from sla.policies import policies_ensure_defaults
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def used_api(api):
    """A token already used this minute: its `last_used_at` is fresh, so reading writes nothing.
    The SLA policies exist, as they do once the first case has been opened."""
    policies_ensure_defaults()
    api.get("/api/v1/teams/")
    return api


def _open(agent, team, count: int) -> list:
    start = timezone.now() - datetime.timedelta(hours=1)
    opened = []
    for i in range(count):
        case = factories.open_case(actor=agent, team=team, opened_at=start + datetime.timedelta(minutes=i))
        CustomerExternalId.objects.create(customer=case.customer, source="shop", external_id=f"c-{i}")
        opened.append(case)
    return opened


def _queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return len(captured), response


def test_reading_a_case_costs_three_queries_the_token_the_case_and_its_customers_ids(used_api, agent, team):
    (case,) = _open(agent, team, 1)
    used_api.get(f"/api/v1/cases/{case.reference}/")

    count, response = _queries(lambda: used_api.get(f"/api/v1/cases/{case.reference}/"))

    assert response.status_code == 200
    assert response.json()["customer"]["external_ids"] == [{"source": "shop", "external_id": "c-0"}]
    assert count <= 3


@pytest.mark.parametrize("size", [3, 40])
def test_the_first_page_of_cases_costs_three_queries_however_many_cases(used_api, agent, team, size):
    _open(agent, team, size)
    used_api.get("/api/v1/cases/")

    count, response = _queries(lambda: used_api.get("/api/v1/cases/"))

    assert len(response.json()["results"]) == size
    assert [c["customer"]["external_ids"] for c in response.json()["results"]] == [
        [{"source": "shop", "external_id": f"c-{i}"}] for i in reversed(range(size))
    ]
    assert count <= 3


def test_a_token_used_again_within_the_minute_writes_nothing(used_api, agent, team):
    (case,) = _open(agent, team, 1)

    with CaptureQueriesContext(connection) as captured:
        used_api.get(f"/api/v1/cases/{case.reference}/")

    assert not [q for q in captured if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_the_created_case_answers_what_a_later_read_shows(used_api, new_case_body):
    created = used_api.post("/api/v1/cases/", new_case_body, format="json")

    read = used_api.get(created["Location"])
    assert created.status_code == 201
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]


def test_the_hand_written_case_answer_is_exactly_what_drf_would_write(agent, team):
    from rest_framework import serializers as drf

    from cases.api.serializers import CaseOut

    owned = factories.open_case(actor=agent, team=team)
    CustomerExternalId.objects.create(customer=owned.customer, source="shop", external_id="c-1")
    unowned = factories.open_case(actor=None, team=team)
    for case in (owned, unowned):
        case = type(case).objects.get(pk=case.pk)  # as a page reads it, every date from the database
        out = CaseOut(case)
        assert out.to_representation(case) == drf.ModelSerializer.to_representation(out, case)
    assert unowned.owner is None and owned.customer.external_ids.exists()


def test_a_renamed_team_product_or_owner_shows_in_the_next_read(used_api, agent, team):
    (case,) = _open(agent, team, 1)
    case.owner = agent
    case.save()
    used_api.get("/api/v1/cases/")

    team.name, agent.first_name = "Front of house", "Renamed"
    team.save()
    agent.save()
    case.product.name = "New menu"
    case.product.save()

    (row,) = used_api.get("/api/v1/cases/").json()["results"]
    assert row["team"]["name"] == "Front of house"
    assert row["owner"]["name"].startswith("Renamed")
    assert row["product"]["name"] == "New menu"
    assert used_api.get(f"/api/v1/cases/{case.reference}/").json() == row
