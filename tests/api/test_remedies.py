"""Remedies and approvals over the API: given within authority, routed for approval over it."""

import pytest
from rest_framework.test import APIClient

from integrations.tokens import api_token_create
from remedies.models import ApprovalRequest, Remedy
from tests import factories
from tests.remedies.conftest import apology, caps, coupon  # noqa: F401

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api(team, caps):  # noqa: F811
    """An integration acting with an agent's authority: 50 GBP per remedy."""
    return client_for(api_token_create(name="Desk app", teams=[team], can_write=True, role="agent")[1])


@pytest.fixture
def lead_client(lead, team):
    team.lead = lead
    team.save(update_fields=["lead"])
    client = APIClient()
    client.force_authenticate(lead)
    return client


def give(client, case, **body):
    return client.post(f"/api/v1/cases/{case.reference}/remedies/", body, format="json")


def test_a_remedy_within_authority_is_given_at_once(agent_api, case, coupon):  # noqa: F811
    answer = give(agent_api, case, kind="coupon", amount="20.00", currency="GBP", note="On us", plus_one=True)

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "coupon" and body["amount"] == "20.00" and body["currency"] == "GBP"
    assert body["plus_one"] is True
    assert Remedy.objects.get(case=case).note == "On us"
    listed = agent_api.get(f"/api/v1/cases/{case.reference}/remedies/").json()
    assert [r["amount"] for r in listed] == ["20.00"]


def test_a_remedy_over_the_cap_answers_202_with_the_approval_request(agent_api, lead_client, case, coupon):  # noqa: F811
    answer = give(agent_api, case, kind="coupon", amount="80.00", currency="GBP")

    assert answer.status_code == 202, answer.json()
    body = answer.json()
    assert body["status"] == "pending" and body["amount"] == "80.00" and body["case"] == case.reference
    assert body["assigned_to"]["username"] == "lee"
    assert answer["Location"].endswith(f"/api/v1/approvals/{body['id']}/")
    assert not Remedy.objects.exists()


def test_a_lead_approves_over_the_api_and_the_remedy_is_given(agent_api, lead_client, case, coupon):  # noqa: F811
    approval = give(agent_api, case, kind="coupon", amount="80.00", currency="GBP").json()
    pending = lead_client.get("/api/v1/approvals/", {"status": "pending", "assigned_to_me": "true"}).json()
    assert [a["id"] for a in pending["results"]] == [approval["id"]]

    answer = lead_client.post(
        f"/api/v1/approvals/{approval['id']}/decide/", {"approve": True, "reason": "Fair"}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "approved" and answer.json()["decision_reason"] == "Fair"
    assert Remedy.objects.get(case=case).amount == ApprovalRequest.objects.get().amount


def test_a_decision_without_a_reason_is_a_400_and_changes_nothing(agent_api, lead_client, case, coupon):  # noqa: F811
    approval = give(agent_api, case, kind="coupon", amount="80.00", currency="GBP").json()

    answer = lead_client.post(
        f"/api/v1/approvals/{approval['id']}/decide/", {"approve": False, "reason": " "}, format="json"
    )

    assert answer.status_code == 400
    assert "reason" in answer.json()["errors"]
    assert ApprovalRequest.objects.get().status == "pending"


def test_an_agent_cannot_decide_an_approval(agent_api, agent, lead_client, case, coupon):  # noqa: F811
    approval = give(agent_api, case, kind="coupon", amount="80.00", currency="GBP").json()
    client = APIClient()
    client.force_authenticate(agent)

    answer = client.post(
        f"/api/v1/approvals/{approval['id']}/decide/", {"approve": True, "reason": "ok"}, format="json"
    )

    assert answer.status_code == 403
    assert ApprovalRequest.objects.get().status == "pending"


def test_another_teams_approval_is_a_404(agent_api, case, coupon, other_team):  # noqa: F811
    approval = give(agent_api, case, kind="coupon", amount="80.00", currency="GBP").json()
    outsider = client_for(api_token_create(name="Other", teams=[other_team], can_write=True)[1])

    assert outsider.get(f"/api/v1/approvals/{approval['id']}/").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/approvals/{approval['id']}/decide/", {"approve": True, "reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert outsider.get("/api/v1/approvals/").json()["results"] == []


def test_an_amount_sent_as_a_json_number_is_refused(agent_api, case, coupon):  # noqa: F811
    answer = give(agent_api, case, kind="coupon", amount=12.5, currency="GBP")

    assert answer.status_code == 400
    assert "string" in answer.json()["errors"]["amount"][0]
    assert not Remedy.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "coupon", "amount": "1.234", "currency": "GBP"}, "amount"),
        ({"kind": "coupon", "amount": "ten", "currency": "GBP"}, "amount"),
        ({"kind": "coupon", "amount": "5.00", "currency": "XYZ"}, "currency"),
        ({"kind": "no-such-kind", "amount": "5.00", "currency": "GBP"}, "kind"),
    ],
)
def test_bad_remedy_input_gets_field_errors(agent_api, case, coupon, body, field):  # noqa: F811
    answer = give(agent_api, case, **body)

    assert answer.status_code == 400
    assert field in answer.json()["errors"]
    assert not Remedy.objects.exists()


def test_past_the_customer_total_it_asks_for_confirmation_first(api, case, coupon, caps, settings):  # noqa: F811
    settings.CUSTOMER_REMEDY_WARNING = 30

    refused = give(api, case, kind="coupon", amount="40.00", currency="GBP")
    confirmed = give(api, case, kind="coupon", amount="40.00", currency="GBP", confirm=True)

    assert refused.status_code == 400 and "confirmed_customer_total" in refused.json()["errors"]
    assert confirmed.status_code == 201


def test_a_read_only_token_cannot_give_a_remedy(read_token, case, coupon):  # noqa: F811
    answer = give(client_for(read_token[1]), case, kind="coupon", amount="5.00", currency="GBP")

    assert answer.status_code == 403
    assert not Remedy.objects.exists()


def test_another_teams_case_cannot_get_a_remedy(api, other_team, coupon):  # noqa: F811
    omar = factories.UserFactory(username="omar", teams=[other_team])
    theirs = factories.open_case(actor=omar, team=other_team)

    assert give(api, theirs, kind="coupon", amount="5.00", currency="GBP").status_code == 404
    assert api.get(f"/api/v1/cases/{theirs.reference}/remedies/").status_code == 404


def test_a_retried_give_with_the_same_key_gives_once(api, case, coupon, caps):  # noqa: F811
    url = f"/api/v1/cases/{case.reference}/remedies/"
    body = {"kind": "coupon", "amount": "5.00", "currency": "GBP"}

    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="give-1")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="give-1")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Remedy.objects.count() == 1


def test_remedy_kinds_are_listed_with_string_amounts(api, coupon, apology):  # noqa: F811
    kinds = {k["code"]: k for k in api.get("/api/v1/remedy-kinds/").json()}

    assert kinds["coupon"]["default_amount"] == "10.00"
    assert kinds["apology"]["costs_money"] is False
