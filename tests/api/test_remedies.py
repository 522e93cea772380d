"""Remedies and approvals over the API: given within authority, routed for approval over it."""
# ruff: noqa: F811

import pytest
from rest_framework.test import APIClient

from integrations.tokens import api_token_create
from remedies.models import ApprovalRequest, Remedy
from tests import factories
from tests.remedies.conftest import apology, caps, coupon  # noqa: F401

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api(team, caps):
    """An integration's write token; it gives remedies on behalf of Ava, an agent (50 GBP per remedy)."""
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


def test_a_remedy_within_authority_is_given_at_once(agent_api, agent, case, coupon):
    answer = give(
        agent_api,
        case,
        on_behalf_of=agent.pk,
        kind="coupon",
        amount="20.00",
        currency="GBP",
        note="On us",
        plus_one=True,
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "coupon" and body["amount"] == "20.00" and body["currency"] == "GBP"
    assert body["plus_one"] is True
    assert Remedy.objects.get(case=case).note == "On us"
    listed = agent_api.get(f"/api/v1/cases/{case.reference}/remedies/").json()["results"]
    assert [r["amount"] for r in listed] == ["20.00"]


def test_a_remedy_over_the_cap_answers_202_with_the_approval_request(
    agent_api, agent, lead_client, case, coupon
):
    answer = give(agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount="80.00", currency="GBP")

    assert answer.status_code == 202, answer.json()
    body = answer.json()
    assert body["status"] == "pending" and body["amount"] == "80.00" and body["case"] == case.reference
    assert body["assigned_to"]["username"] == "lee"
    assert answer["Location"].endswith(f"/api/v1/approvals/{body['id']}/")
    assert not Remedy.objects.exists()


def test_a_lead_approves_over_the_api_and_the_remedy_is_given(agent_api, agent, lead_client, case, coupon):
    approval = give(
        agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount="80.00", currency="GBP"
    ).json()
    pending = lead_client.get("/api/v1/approvals/", {"status": "pending", "assigned_to_me": "true"}).json()
    assert [a["id"] for a in pending["results"]] == [approval["id"]]

    answer = lead_client.post(
        f"/api/v1/approvals/{approval['id']}/decide/", {"approve": True, "reason": "Fair"}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "approved" and answer.json()["decision_reason"] == "Fair"
    assert Remedy.objects.get(case=case).amount == ApprovalRequest.objects.get().amount


def test_a_decision_without_a_reason_is_a_400_and_changes_nothing(
    agent_api, agent, lead_client, case, coupon
):
    approval = give(
        agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount="80.00", currency="GBP"
    ).json()

    answer = lead_client.post(
        f"/api/v1/approvals/{approval['id']}/decide/", {"approve": False, "reason": " "}, format="json"
    )

    assert answer.status_code == 400
    assert "reason" in answer.json()["errors"]
    assert ApprovalRequest.objects.get().status == "pending"


def test_an_agent_cannot_decide_an_approval(agent_api, agent, lead_client, case, coupon):
    approval = give(
        agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount="80.00", currency="GBP"
    ).json()
    client = APIClient()
    client.force_authenticate(agent)

    answer = client.post(
        f"/api/v1/approvals/{approval['id']}/decide/", {"approve": True, "reason": "ok"}, format="json"
    )

    assert answer.status_code == 403
    assert ApprovalRequest.objects.get().status == "pending"


def test_another_teams_approval_is_a_404(agent_api, agent, case, coupon, other_team):
    approval = give(
        agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount="80.00", currency="GBP"
    ).json()
    outsider = client_for(api_token_create(name="Other", teams=[other_team], can_write=True)[1])

    assert outsider.get(f"/api/v1/approvals/{approval['id']}/").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/approvals/{approval['id']}/decide/", {"approve": True, "reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert outsider.get("/api/v1/approvals/").json()["results"] == []


def test_an_amount_sent_as_a_json_number_is_refused(agent_api, agent, case, coupon):
    answer = give(agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount=12.5, currency="GBP")

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
def test_bad_remedy_input_gets_field_errors(agent_api, agent, case, coupon, body, field):
    answer = give(agent_api, case, on_behalf_of=agent.pk, **body)

    assert answer.status_code == 400
    assert field in answer.json()["errors"]
    assert not Remedy.objects.exists()


def test_past_the_customer_total_it_asks_for_confirmation_first(agent, api, case, coupon, caps, settings):
    settings.CUSTOMER_REMEDY_WARNING = 30

    refused = give(api, case, on_behalf_of=agent.pk, kind="coupon", amount="40.00", currency="GBP")
    confirmed = give(
        api, case, on_behalf_of=agent.pk, kind="coupon", amount="40.00", currency="GBP", confirm=True
    )

    assert refused.status_code == 400 and "confirmed_customer_total" in refused.json()["errors"]
    assert confirmed.status_code == 201


def test_a_read_only_token_cannot_give_a_remedy(read_token, case, coupon):
    answer = give(client_for(read_token[1]), case, kind="coupon", amount="5.00", currency="GBP")

    assert answer.status_code == 403
    assert not Remedy.objects.exists()


def test_another_teams_case_cannot_get_a_remedy(api, other_team, coupon):
    omar = factories.UserFactory(username="omar", teams=[other_team])
    theirs = factories.open_case(actor=omar, team=other_team)

    assert give(api, theirs, kind="coupon", amount="5.00", currency="GBP").status_code == 404
    assert api.get(f"/api/v1/cases/{theirs.reference}/remedies/").status_code == 404


def test_a_retried_give_with_the_same_key_gives_once(api, agent, case, coupon, caps):
    url = f"/api/v1/cases/{case.reference}/remedies/"
    body = {"kind": "coupon", "amount": "5.00", "currency": "GBP", "on_behalf_of": agent.pk}

    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="give-1")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="give-1")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Remedy.objects.count() == 1


def test_remedy_kinds_are_listed_with_string_amounts(api, coupon, apology):
    kinds = {k["code"]: k for k in api.get("/api/v1/remedy-kinds/").json()["results"]}

    assert kinds["coupon"]["default_amount"] == "10.00"
    assert kinds["apology"]["costs_money"] is False


def test_a_token_gives_nothing_without_naming_the_person_it_acts_for(api, case, coupon, caps):
    answer = give(api, case, kind="coupon", amount="5.00", currency="GBP")

    assert answer.status_code == 400
    assert "on_behalf_of" in answer.json()["errors"]
    assert not Remedy.objects.exists() and not ApprovalRequest.objects.exists()


def test_a_token_cannot_act_for_someone_outside_its_teams(api, case, coupon, caps, other_team, manager):
    omar = factories.UserFactory(username="omar", teams=[other_team])

    for outsider in (omar, manager):
        answer = give(api, case, on_behalf_of=outsider.pk, kind="coupon", amount="5.00", currency="GBP")

        assert answer.status_code == 400
        assert "on_behalf_of" in answer.json()["errors"]
    assert not Remedy.objects.exists()


def test_a_token_cannot_name_another_token_as_the_person(api, team, case, coupon, caps):
    robot = api_token_create(name="Other robot", teams=[team], can_write=True)[0].user

    answer = give(api, case, on_behalf_of=robot.pk, kind="coupon", amount="5.00", currency="GBP")

    assert answer.status_code == 400 and "on_behalf_of" in answer.json()["errors"]


def test_over_the_agents_cap_a_token_acting_for_them_only_asks_for_approval(
    api, agent, lead, team, case, coupon, caps
):
    team.lead = lead
    team.save(update_fields=["lead"])

    answer = give(
        api, case, on_behalf_of=agent.pk, kind="coupon", amount="500.00", currency="GBP", confirm=True
    )

    assert answer.status_code == 202, answer.json()
    assert answer.json()["requested_by"]["username"] == "ava"
    assert not Remedy.objects.exists()


def test_the_timeline_shows_the_person_and_the_token_they_acted_through(
    write_token, agent, case, coupon, caps
):
    token, key = write_token
    client = client_for(key)

    assert (
        give(client, case, on_behalf_of=agent.pk, kind="coupon", amount="5.00", currency="GBP").status_code
        == 201
    )

    given = client.get(f"/api/v1/cases/{case.reference}/timeline/").json()["results"][-1]
    assert given["kind"] == "remedy.given"
    assert given["actor"]["username"] == "ava"
    assert given["data"]["via_token"] == token.pk and given["data"]["via_token_name"] == "Order system"
    assert Remedy.objects.get().given_by == agent


def test_a_token_decides_an_approval_only_for_a_lead_with_the_authority(
    agent_api, api, agent, lead, lead_client, case, coupon
):
    approval = give(
        agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount="80.00", currency="GBP"
    ).json()
    url = f"/api/v1/approvals/{approval['id']}/decide/"

    alone = api.post(url, {"approve": True, "reason": "Fair"}, format="json")
    for_an_agent = api.post(url, {"approve": True, "reason": "Fair", "on_behalf_of": agent.pk}, format="json")

    assert alone.status_code == 400 and "on_behalf_of" in alone.json()["errors"]
    assert for_an_agent.status_code == 403
    assert ApprovalRequest.objects.get().status == "pending"

    for_the_lead = api.post(url, {"approve": True, "reason": "Fair", "on_behalf_of": lead.pk}, format="json")

    assert for_the_lead.status_code == 200, for_the_lead.json()
    assert for_the_lead.json()["decided_by"]["username"] == "lee"
    decided = case.events.get(kind="approval.decided")
    assert decided.actor == lead and decided.data["via_token_name"] == "Order system"


def test_signed_in_people_act_as_themselves(lead_client, agent, case, coupon, caps):
    answer = give(lead_client, case, on_behalf_of=agent.pk, kind="coupon", amount="5.00", currency="GBP")

    assert answer.status_code == 400 and "on_behalf_of" in answer.json()["errors"]


@pytest.mark.parametrize("amount", ["1e3", "1E2", "NaN", "Infinity", "-Infinity", "sNaN", "0x10", " 1e1 "])
def test_money_in_exponent_or_non_finite_notation_is_refused(agent_api, agent, case, coupon, amount):
    answer = give(agent_api, case, on_behalf_of=agent.pk, kind="coupon", amount=amount, currency="GBP")

    assert answer.status_code == 400
    assert "amount" in answer.json()["errors"]
    assert not Remedy.objects.exists() and not ApprovalRequest.objects.exists()
