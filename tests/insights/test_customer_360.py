"""Intake: the picked customer's open cases, and recent cases with the same product and stage."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.workflow import Action
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_shows_the_customers_open_cases_and_similar_recent_ones(client, agent, team, other_team):
    maria = factories.CustomerFactory(name="Maria Lopez")
    open_one = factories.open_case(actor=agent, team=team, customer=maria, summary="Late parcel")
    closed = factories.open_case(actor=agent, team=team, customer=maria, summary="Old resolved one")
    case_services.case_transition(case=closed, action=Action.RESPOND, actor=agent, data={"message": "Sorry"})
    case_services.case_transition(
        case=closed, action=Action.RESOLVE, actor=agent, data={"resolution": "Done"}
    )
    similar = factories.open_case(actor=agent, team=team, summary="Someone else, same stage")
    old = factories.open_case(
        actor=agent, team=team, summary="Too old", opened_at=timezone.now() - datetime.timedelta(days=40)
    )
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    hidden = factories.open_case(actor=stranger, team=other_team, customer=maria, summary="Other team's")
    client.force_login(agent)

    response = client.get(
        "/insights/customer-360/",
        {"customer": maria.pk, "product": open_one.product_id, "journey_stage": "delivery"},
    )

    page = response.content.decode()
    assert "already has 1 open case" in page
    assert open_one.reference in page
    assert similar.reference in page
    assert old.reference not in page
    assert hidden.reference not in page


def test_nothing_is_shown_before_a_customer_or_product_is_picked(client, agent):
    client.force_login(agent)

    response = client.get("/insights/customer-360/", {"customer": "", "product": "", "journey_stage": ""})

    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_the_new_case_page_asks_for_the_customer_view(client, agent):
    client.force_login(agent)

    page = client.get("/cases/new/").content.decode()

    assert 'id="customer-360"' in page and "/insights/customer-360/" in page
