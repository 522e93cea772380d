"""Intake: a known e-mail or phone is shown, never silently merged; no silent journey stage;
"apologise now" sends the apology with the opening."""

import pytest

from cases.models import Case, Customer
from messaging.models import CustomerMessage, MessageTemplate
from sla.models import Clock
from sla.policies import policies_ensure_defaults
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def policies(db):
    return policies_ensure_defaults()


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def body(team):
    product = factories.ProductFactory()
    return {
        "customer_name": "Joanne Bloggs",
        "customer_email": "jo@example.com",
        "customer_phone": "",
        "channel": "phone",
        "summary": "Box arrived late",
        "description": "Two days late.",
        "product": product.pk,
        "journey_stage": "delivery",
        "severity": "medium",
        "team": team.pk,
    }


@pytest.fixture
def known(db):
    return factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com", phone="")


def test_a_new_customer_whose_email_we_know_is_shown_the_match_and_nothing_is_saved(
    agent_client, body, known
):
    response = agent_client.post("/cases/new/", body)

    assert response.status_code == 409
    page = response.content.decode()
    assert "We already know someone with this e-mail or phone" in page
    assert f'name="match" value="{known.pk}"' in page and "Use Jo Bloggs" in page
    assert 'value="Joanne Bloggs"' in page and "Two days late." in page  # nothing typed is lost
    assert not Case.objects.exists() and Customer.objects.count() == 1


def test_the_agent_may_use_the_known_customer(agent_client, body, known):
    response = agent_client.post("/cases/new/", {**body, "match": str(known.pk)})

    assert response.status_code == 302
    assert Case.objects.get().customer == known and Customer.objects.count() == 1


def test_the_agent_may_create_another_customer_with_what_was_typed(agent_client, body, known):
    response = agent_client.post("/cases/new/", {**body, "match": "new"})

    assert response.status_code == 302
    created = Case.objects.get().customer
    assert created != known and created.name == "Joanne Bloggs" and created.email == "jo@example.com"


def test_a_match_that_is_not_one_of_the_known_customers_asks_again(agent_client, body, known):
    stranger = factories.CustomerFactory(name="Someone Else", email="else@example.com")

    response = agent_client.post("/cases/new/", {**body, "match": str(stranger.pk)})

    assert response.status_code == 409 and not Case.objects.exists()


def test_the_journey_stage_has_no_silent_default(agent_client, body):
    page = agent_client.get("/cases/new/").content.decode()
    assert '<option value="" selected>Choose the point' in page

    response = agent_client.post("/cases/new/", {**body, "journey_stage": ""})

    assert response.status_code == 400
    assert response.context["form"].errors["journey_stage"] == [
        "Choose the point in the journey where it went wrong."
    ]


def test_an_error_is_tied_to_its_field(agent_client, body):
    page = agent_client.post("/cases/new/", {**body, "summary": ""}).content.decode()

    assert 'aria-describedby="id_summary-error"' in page and 'id="id_summary-error"' in page


def test_apologise_now_sends_the_apology_with_the_opening_and_stops_the_clock(agent_client, body):
    MessageTemplate.objects.get_or_create(
        name="Apology and ownership",
        defaults={"kind": "apology", "subject": "Sorry", "body": "Hello {first_name}, sorry."},
    )

    response = agent_client.post("/cases/new/", {**body, "apologise": "on"})

    assert response.status_code == 302
    case = Case.objects.get()
    message = CustomerMessage.objects.get()
    assert message.kind == "apology" and message.body.startswith("Hello Joanne") and message.case == case
    assert case.status == "responded"
    assert Clock.objects.get(case=case, kind="first_response").stopped_at is not None


def test_apologise_now_needs_a_way_to_reach_the_customer(agent_client, body):
    unreachable = factories.CustomerFactory(name="No Address", email="", phone="")

    response = agent_client.post("/cases/new/", {**body, "customer": unreachable.pk, "apologise": "on"})

    assert response.status_code == 400 and "apologise" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_macro_chosen_at_intake_applies_with_the_opening(agent_client, body, agent):
    from desk.models import Macro

    note = Macro.objects.create(name="Note only", note="Checked the courier.")

    response = agent_client.post("/cases/new/", {**body, "macro": note.pk})

    assert response.status_code == 302
    assert Case.objects.get().events.filter(kind="case.note.added").count() == 1
