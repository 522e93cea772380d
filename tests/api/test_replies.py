"""Replies over the API: what the composer does, for integrators."""

import pytest
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from messaging.models import CustomerMessage, MessageTemplate
from sla.policies import policies_ensure_defaults
from tests import factories

pytestmark = pytest.mark.django_db


def written(body: str) -> str:
    """What the agent wrote: every customer message ends with the link to their status page."""
    text, _, link = body.partition("\n\nWhere your case stands, and to answer us: ")
    assert "/c/" in link, body
    return text


@pytest.fixture(autouse=True)
def policies(db):
    return policies_ensure_defaults()


@pytest.fixture
def owner_api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


@pytest.fixture
def mailed(agent, team):
    jo = factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com", phone="")
    return factories.open_case(actor=agent, team=team, customer=jo, channel="email")


def reply(client, case, **body):
    return client.post(f"/api/v1/cases/{case.reference}/replies/", body, format="json")


def test_the_owners_first_reply_is_sent_and_is_the_first_response(owner_api, mailed):
    answer = reply(owner_api, mailed, body="Hello {first_name}, I own this.")

    assert answer.status_code == 201, answer.json()
    assert answer.json()["direction"] == "out" and written(answer.json()["body"]) == "Hello Jo, I own this."
    assert answer.json()["state"] == "queued" and answer.json()["channel"] == "E-mail"
    assert CustomerMessage.objects.get().address == "jo@example.com"
    assert Case.objects.get().status == "responded"


def test_a_template_gives_the_kind_and_the_conversation_lists_it(owner_api, mailed):
    apology = MessageTemplate.objects.get(kind="apology")
    reply(owner_api, mailed, template=apology.pk, body="Sorry, {first_name}.")
    reply(owner_api, mailed, visibility="internal", body="Promised a call.")

    listed = owner_api.get(f"/api/v1/cases/{mailed.reference}/replies/").json()["entries"]

    assert [
        (e["direction"], written(e["body"]) if e["direction"] == "out" else e["body"]) for e in listed
    ] == [
        ("out", "Sorry, Jo."),
        ("note", "Promised a call."),
    ]
    assert CustomerMessage.objects.get().kind == "apology"
    assert CaseEvent.objects.filter(kind="case.note.added").count() == 1


def test_an_empty_body_is_a_400_with_the_field_and_nothing_is_sent(owner_api, mailed):
    answer = reply(owner_api, mailed, body="")

    assert answer.status_code == 400
    assert "body" in answer.json()["errors"]
    assert not CustomerMessage.objects.exists()


def test_a_customer_without_a_phone_cannot_be_texted(owner_api, mailed):
    answer = reply(owner_api, mailed, body="Hi", channel="sms")

    assert answer.status_code == 400 and "channel" in answer.json()["errors"]


def test_another_teams_case_is_a_404(other_team, mailed):
    client = APIClient()
    client.force_authenticate(factories.UserFactory(username="oz", role="agent", teams=[other_team]))

    assert reply(client, mailed, body="x").status_code == 404
    assert client.get(f"/api/v1/cases/{mailed.reference}/replies/").status_code == 404
    assert not CustomerMessage.objects.exists()


def test_a_stale_if_match_is_refused_for_the_first_response(owner_api, mailed):
    answer = owner_api.post(
        f"/api/v1/cases/{mailed.reference}/replies/",
        {"body": "Sorry."},
        format="json",
        HTTP_IF_MATCH=f'"{mailed.version + 5}"',
    )

    assert answer.status_code == 412
    assert not CustomerMessage.objects.exists() and Case.objects.get().status == "new"


def test_unknown_fields_are_refused(owner_api, mailed):
    assert reply(owner_api, mailed, body="x", status="resolved").status_code == 400
