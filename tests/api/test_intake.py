"""Intake from outside: one call creates the case and finds or creates its customer, exactly once."""

import pytest

from cases.models import Case, Customer, CustomerExternalId
from integrations.tokens import api_token_sync_teams
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_creates_a_case_with_a_new_customer_in_one_call(api, new_case_body, team, write_token):
    response = api.post("/api/v1/cases/", new_case_body, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert response["Location"].endswith(f"/api/v1/cases/{case.reference}/")
    assert response["ETag"] == '"1"'
    assert body["customer"]["name"] == "Dana Diner" and body["customer"]["email"] == "dana@example.com"
    assert body["team"]["id"] == team.pk and body["status"] == "new" and body["triage_stage"] == "what"
    assert case.created_by == write_token[0].user
    assert list(case.events.values_list("kind", flat=True)) == ["case.opened"]


def test_it_matches_an_existing_customer_by_external_id_then_by_email(api, new_case_body):
    known = factories.CustomerFactory(name="Dana D.", email="dana@example.com")
    CustomerExternalId.objects.create(customer=factories.CustomerFactory(), source="shop", external_id="C-9")

    by_email = api.post("/api/v1/cases/", new_case_body, format="json").json()
    by_external = api.post(
        "/api/v1/cases/",
        {**new_case_body, "customer": {"source": "shop", "external_id": "C-9", "email": "other@example.com"}},
        format="json",
    ).json()

    assert by_email["customer"]["id"] == known.pk
    assert by_external["customer"]["id"] == CustomerExternalId.objects.get(external_id="C-9").customer_id
    assert Customer.objects.count() == 2


def test_a_new_customer_needs_a_name_and_a_way_to_reach_them(api, new_case_body):
    response = api.post(
        "/api/v1/cases/", {**new_case_body, "customer": {"email": "nobody@example.com"}}, format="json"
    )
    no_contact = api.post("/api/v1/cases/", {**new_case_body, "customer": {"name": "Ann"}}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"customer.name": ["Give the customer's name."]}
    assert no_contact.status_code == 400 and "customer.email" in no_contact.json()["errors"]
    assert not Case.objects.exists() and not Customer.objects.exists()


def test_bad_input_answers_400_with_field_errors_in_the_documented_shape(api):
    response = api.post(
        "/api/v1/cases/", {"summary": "", "journey_stage": "moon", "product": 999}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "errors", "problems"}
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"customer", "summary", "journey_stage", "product"}
    assert body["errors"]["journey_stage"] == ['"moon" is not a valid choice.']


def test_the_same_idempotency_key_returns_the_stored_answer_and_never_a_second_case(api, new_case_body):
    first = api.post("/api/v1/cases/", new_case_body, format="json", HTTP_IDEMPOTENCY_KEY="order-77-try")
    again = api.post("/api/v1/cases/", new_case_body, format="json", HTTP_IDEMPOTENCY_KEY="order-77-try")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(api, new_case_body):
    api.post("/api/v1/cases/", new_case_body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = api.post(
        "/api/v1/cases/",
        {**new_case_body, "summary": "Something else"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_a_failed_request_leaves_its_idempotency_key_free_for_the_corrected_retry(api, new_case_body):
    bad = api.post(
        "/api/v1/cases/", {**new_case_body, "summary": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    good = api.post("/api/v1/cases/", new_case_body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert bad.status_code == 400 and good.status_code == 201


def test_a_repeated_source_and_external_id_answers_409_pointing_at_the_existing_case(api, new_case_body):
    body = {**new_case_body, "source": "reviews", "external_id": "rev-123"}
    first = api.post("/api/v1/cases/", body, format="json").json()

    response = api.post("/api/v1/cases/", body, format="json")

    assert response.status_code == 409
    assert response.json()["reference"] == first["reference"]
    assert response.json()["url"] == first["url"] == response["Location"]
    assert Case.objects.count() == 1


def test_the_team_is_needed_when_the_caller_has_several(client, manager, new_case_body, team):
    client.force_login(manager)

    missing = client.post("/api/v1/cases/", new_case_body, content_type="application/json")
    given = client.post("/api/v1/cases/", {**new_case_body, "team": team.pk}, content_type="application/json")

    assert missing.status_code == 400 and "team" in missing.json()["errors"]
    assert given.status_code == 201


def test_a_token_cannot_open_a_case_for_a_team_it_does_not_serve(api, new_case_body, other_team):
    response = api.post("/api/v1/cases/", {**new_case_body, "team": other_team.pk}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "You can only open cases for your own teams."


def test_a_case_opened_by_a_token_waits_unassigned_in_the_teams_queue(api, new_case_body):
    response = api.post("/api/v1/cases/", new_case_body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["owner"] is None
    unassigned = api.get("/api/v1/cases/", {"owner": ""}).json()["results"]
    assert [c["reference"] for c in unassigned] == [response.json()["reference"]]


def test_a_case_opened_by_a_token_can_name_a_person_as_owner(api, agent, new_case_body):
    response = api.post("/api/v1/cases/", dict(new_case_body, owner=agent.pk), format="json")

    assert response.status_code == 201 and response.json()["owner"]["username"] == "ava"


def test_a_tokens_own_user_is_no_person_to_own_assign_or_list(api, write_token, agent, case, new_case_body):
    robot = write_token[0].user

    opened = api.post("/api/v1/cases/", dict(new_case_body, owner=robot.pk), format="json")
    handed = api.post(f"/api/v1/cases/{case.reference}/assign/", {"to_owner": robot.pk}, format="json")
    people = {u["id"] for u in api.get("/api/v1/users/").json()["results"]}

    assert opened.status_code == 400 and "owner" in opened.json()["errors"]
    assert handed.status_code == 400 and "to_owner" in handed.json()["errors"]
    assert robot.pk not in people and agent.pk in people


def test_a_product_taken_off_the_list_is_refused_from_the_next_request(api, new_case_body, product):
    """Active products are kept per process; deactivating one drops them at once."""
    assert api.post("/api/v1/cases/", new_case_body, format="json").status_code == 201

    product.active = False
    product.save()
    new_case_body["customer"]["email"] = "other@example.com"
    response = api.post("/api/v1/cases/", new_case_body, format="json")

    assert response.status_code == 400
    assert "product" in response.json()["errors"]
    assert api.post("/api/v1/cases/", {**new_case_body, "product": "one"}, format="json").status_code == 400


def test_a_new_customer_with_an_external_id_is_answered_with_it(api, new_case_body):
    new_case_body["customer"] |= {"source": "crm", "external_id": "C-17"}
    response = api.post("/api/v1/cases/", new_case_body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["customer"]["external_ids"] == [{"source": "crm", "external_id": "C-17"}]
    reference = response.json()["reference"]
    assert api.get(f"/api/v1/cases/{reference}/").json()["customer"] == response.json()["customer"]


def test_a_token_moved_to_another_team_opens_cases_there_from_the_next_request(
    api, new_case_body, write_token, team, other_team
):
    """The token's user and teams are kept per process; changing its teams drops them at once."""
    assert api.post("/api/v1/cases/", new_case_body, format="json").json()["team"]["id"] == team.pk

    token, _ = write_token
    token.teams.set([other_team])
    api_token_sync_teams(token=token)
    new_case_body["customer"]["email"] = "moved@example.com"
    response = api.post("/api/v1/cases/", new_case_body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["team"]["id"] == other_team.pk
    assert api.post("/api/v1/cases/", {**new_case_body, "team": team.pk}, format="json").status_code == 403
