"""The triage walk over the API, and the reference lists an integration reads."""

import datetime

import pytest
from django.utils import timezone

from cases import services
from tests import factories
from tests.factories import WHAT_ANSWERS

pytestmark = pytest.mark.django_db


def move(api, case, action, **text):
    response = api.post(
        f"/api/v1/cases/{case.reference}/transition/", {"action": action, **text}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_an_integration_walks_what_why_and_what_different_to_closing(api, case, lead):
    ref = case.reference
    move(api, case, "respond", message="Sorry: I own this now.")
    assert api.get(f"/api/v1/cases/{ref}/triage/what/").json()["complaint"] == ""

    saved = api.put(f"/api/v1/cases/{ref}/triage/what/", WHAT_ANSWERS, format="json")
    assert saved.status_code == 200 and saved.json()["scope"] == "part"
    move(api, case, "complete_what")

    cause = factories.root_cause()
    why = {"root_cause": cause.pk, "explanation": "Van left late.", "origin": "vendor"}
    assert api.put(f"/api/v1/cases/{ref}/triage/why/", why, format="json").status_code == 200
    move(api, case, "complete_why")

    refused = api.post(f"/api/v1/cases/{ref}/transition/", {"action": "complete_different"}, format="json")
    assert refused.json()["problems"] == [
        "WHAT DIFFERENT needs at least one corrective action, or 'no change needed' with its reason."
    ]
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    added = api.post(
        f"/api/v1/cases/{ref}/corrective-actions/",
        {"description": "Agree delivery slots up front", "owner": lead.pk, "due_date": due},
        format="json",
    )
    assert added.status_code == 201, added.json()
    move(api, case, "complete_different")
    move(api, case, "resolve", resolution="Refunded and sent a voucher.")
    closed = move(api, case, "close")

    assert closed["status"] == "closed" and closed["triage_stage"] == "done"
    kinds = [e["kind"] for e in api.get(f"/api/v1/cases/{ref}/timeline/?page_size=100").json()["results"]]
    assert kinds[0] == "case.opened" and kinds[-1] == "case.closed"
    assert "case.triage.why_recorded" in kinds and "case.corrective_action.added" in kinds


def test_why_cannot_be_answered_before_what_is_complete(api, case):
    response = api.patch(f"/api/v1/cases/{case.reference}/triage/why/", {"explanation": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["problems"] == [
        "WHY it happened cannot be answered yet: finish WHAT happened first."
    ]


def test_an_answer_outside_its_choices_is_a_field_error(api, case):
    response = api.put(f"/api/v1/cases/{case.reference}/triage/what/", {"scope": "galaxy"}, format="json")

    assert response.status_code == 400 and "scope" in response.json()["errors"]


def test_corrective_actions_are_marked_done(api, case, lead):
    services.triage_record_what(case=case, actor=lead, answers=WHAT_ANSWERS)
    move(api, case, "complete_what")
    services.triage_record_why(
        case=case,
        actor=lead,
        answers={"root_cause": factories.root_cause(), "explanation": "x", "origin": "ours"},
    )
    move(api, case, "complete_why")
    action = services.corrective_action_add(
        case=case, actor=lead, description="Train the team", owner=lead, due_date=timezone.localdate()
    )

    response = api.patch(
        f"/api/v1/cases/{case.reference}/corrective-actions/{action.pk}/", {"status": "done"}, format="json"
    )
    missing = api.patch(
        f"/api/v1/cases/{case.reference}/corrective-actions/999999/", {"status": "done"}, format="json"
    )

    assert response.status_code == 200 and response.json()["status"] == "done"
    assert missing.status_code == 404


def test_teams_and_users_are_those_of_the_token(api, team, other_team, agent):
    factories.UserFactory(username="omar", teams=[other_team])

    teams = api.get("/api/v1/teams/").json()["results"]
    users = api.get("/api/v1/users/").json()["results"]

    assert [t["name"] for t in teams] == ["Front desk"]
    assert "omar" not in {u["username"] for u in users} and "ava" in {u["username"] for u in users}
    assert api.get(f"/api/v1/teams/{other_team.pk}/").status_code == 404


def test_products_and_root_causes_are_listed(api, product):
    cause = factories.root_cause()

    assert [p["name"] for p in api.get("/api/v1/products/").json()["results"]] == [product.name]
    labels = {c["label"] for c in api.get("/api/v1/root-causes/").json()["results"]}
    assert str(cause) in labels


def test_customers_are_found_or_created(api):
    created = api.post(
        "/api/v1/customers/",
        {"name": "Eve", "email": "EVE@example.com", "source": "crm", "external_id": "42"},
        format="json",
    )
    again = api.post("/api/v1/customers/", {"name": "Eve", "email": "eve@example.com"}, format="json")
    found = api.get("/api/v1/customers/?source=crm&external_id=42").json()["results"]

    assert created.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert [c["email"] for c in found] == ["eve@example.com"]
    assert created.json()["external_ids"] == [{"source": "crm", "external_id": "42"}]
