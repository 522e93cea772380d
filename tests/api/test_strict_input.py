"""Bad input that used to slip through: every refusal is a JSON answer that names what is wrong."""

import json

import pytest
from django.test import Client

from cases.models import Case
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_body_over_the_size_limit_is_a_json_413(api, new_case_body, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = dict(new_case_body, description="x" * 20_000)

    response = api.post("/api/v1/cases/", json.dumps(body), content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "limit" in response.json()["detail"] and response.json()["code"] == "too_large"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/cases", "/api/v1/approvals/abc/decide/", "/api/v1/cases/R-1/nothing/", "/api/elsewhere"],
)
def test_unknown_api_paths_answer_json_404_never_a_csrf_page(write_token, agent, path):
    # A browser session with CSRF checks on, as in production, and a token.
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {write_token[1]}")
    client.force_login(agent)

    response = client.post(path, "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_missing_trailing_slash_is_named_in_the_404(api, new_case_body):
    response = api.post("/api/v1/cases", new_case_body, format="json")

    assert response.status_code == 404
    assert "/api/v1/cases/" in response.json()["detail"]


def test_a_token_write_needs_no_csrf_token_even_beside_a_session(write_token, agent, new_case_body):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {write_token[1]}")
    client.force_login(agent)

    response = client.post("/api/v1/cases/", json.dumps(new_case_body), content_type="application/json")

    assert response.status_code == 201, response.content


def test_a_wrong_method_is_a_json_405(api, case):
    response = api.delete(f"/api/v1/cases/{case.reference}/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/cases/", {"stauts": "new"}),
        ("/api/v1/cases/", {"colour": "red", "status": "new"}),
        ("/api/v1/customers/", {"name": "Dana"}),
        ("/api/v1/approvals/", {"mine": "true"}),
        ("/api/v1/users/", {"username": "ava"}),
        ("/api/v1/webhooks/", {"active": "true"}),
        ("/api/v1/teams/", {"name": "x"}),
        ("/api/v1/products/", {"active": "false"}),
        ("/api/v1/root-causes/", {"q": "van"}),
        ("/api/v1/remedy-kinds/", {"code": "coupon"}),
        ("/api/v1/sla/policies/", {"severity": "high"}),
        ("/api/v1/sla/calendars/", {"tz": "UTC"}),
    ],
)
def test_an_unknown_query_filter_is_a_400_naming_it_not_the_whole_list(api, case, path, query):
    response = api.get(path, query)

    assert response.status_code == 400, response.content
    named = set(query) - {"status"}
    assert set(response.json()["errors"]) == named


def test_known_filters_and_paging_still_work(api, case):
    response = api.get("/api/v1/cases/", {"status": "new", "ordering": "-opened_at", "page_size": 5})

    assert response.status_code == 200
    assert [c["reference"] for c in response.json()["results"]] == [case.reference]


def test_timeline_pages_take_only_cursor_and_page_size(api, case):
    url = f"/api/v1/cases/{case.reference}/timeline/"

    assert api.get(url, {"page_size": 2}).status_code == 200
    assert api.get(url, {"kind": "case.opened"}).status_code == 400


@pytest.mark.parametrize("field", ["status", "triage_stage", "owner", "reference", "version", "colour"])
def test_a_field_that_cannot_be_written_in_a_patch_is_refused_and_nothing_changes(api, case, field):
    response = api.patch(f"/api/v1/cases/{case.reference}/", {field: "x", "summary": "New"}, format="json")

    case.refresh_from_db()
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert case.summary != "New"


def test_a_read_only_triage_field_is_refused(api, case):
    response = api.patch(
        f"/api/v1/cases/{case.reference}/triage/what/", {"updated_at": "2020-01-01T00:00:00Z"}, format="json"
    )

    assert response.status_code == 400 and "updated_at" in response.json()["errors"]


def test_an_unknown_field_of_the_customer_in_a_new_case_is_refused(api, new_case_body):
    body = dict(new_case_body, customer={**new_case_body["customer"], "vip": True})

    response = api.post("/api/v1/cases/", body, format="json")

    assert response.status_code == 400 and "customer.vip" in response.json()["errors"]
    assert not Case.objects.exists()


def test_a_read_only_token_sees_only_its_teams_customers(read_token, case, other_team):
    omar = factories.UserFactory(username="omar", teams=[other_team])
    theirs = factories.open_case(
        actor=omar,
        team=other_team,
        customer=factories.CustomerFactory(name="Zebedee Otherteam", phone="+44 7700 900123"),
    )
    reader = client_for(read_token[1])

    listed = reader.get("/api/v1/customers/").json()["results"]

    assert [c["id"] for c in listed] == [case.customer_id]
    assert reader.get(f"/api/v1/customers/{theirs.customer_id}/").status_code == 404
    assert reader.get("/api/v1/customers/", {"q": "Zebedee"}).json()["results"] == []


def test_people_keep_the_global_customer_lookup(agent, case, other_team):
    omar = factories.UserFactory(username="omar", teams=[other_team])
    theirs = factories.open_case(actor=omar, team=other_team)
    person = client_for()
    person.force_authenticate(agent)

    listed = {c["id"] for c in person.get("/api/v1/customers/").json()["results"]}

    assert listed == {case.customer_id, theirs.customer_id}


def test_a_token_cannot_read_or_attach_another_teams_customer(api, new_case_body, other_team):
    omar = factories.UserFactory(username="omar", teams=[other_team])
    theirs = factories.open_case(
        actor=omar, team=other_team, customer=factories.CustomerFactory(email="bea@x.org")
    )

    by_id = api.post(
        "/api/v1/cases/", dict(new_case_body, customer={"id": theirs.customer_id}), format="json"
    )
    by_email = api.post("/api/v1/customers/", {"name": "B", "email": "bea@x.org"}, format="json")

    assert by_id.status_code == 400 and "customer.id" in by_id.json()["errors"]
    assert by_email.status_code == 403 and "bea@x.org" not in by_email.content.decode()
