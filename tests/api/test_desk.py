"""Macros and the customer's story over the API."""
# ruff: noqa: F811

import pytest
from rest_framework.test import APIClient

from messaging.models import CustomerMessage
from remedies.models import Remedy
from tests import factories
from tests.desk.conftest import apology_template, caps, coupon, jo, late_box, mailed, policies  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


def test_macros_are_listed_with_their_steps(agent_api, late_box):
    listed = agent_api.get("/api/v1/macros/").json()["results"]

    assert listed[0]["name"] == "Late box" and listed[0]["remedy_amount"] == "10.00"
    assert len(listed[0]["steps"]) == 4


def test_applying_a_macro_over_the_api(agent_api, mailed, late_box):
    answer = agent_api.post(
        f"/api/v1/cases/{mailed.reference}/macros/", {"macro": late_box.pk}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    assert len(answer.json()["done"]) == 4 and answer.json()["awaiting_approval"] == []
    assert CustomerMessage.objects.count() == 1 and Remedy.objects.count() == 1


def test_a_refused_macro_is_a_422_naming_the_step(agent_api, agent, team, late_box):
    case = factories.open_case(actor=agent, team=team, customer=factories.CustomerFactory(email="", phone=""))

    answer = agent_api.post(f"/api/v1/cases/{case.reference}/macros/", {"macro": late_box.pk}, format="json")

    assert answer.status_code == 422 and "Apology" in answer.json()["detail"]
    assert not CustomerMessage.objects.exists()


def test_the_customer_story(agent_api, agent, mailed, late_box):
    agent_api.post(f"/api/v1/cases/{mailed.reference}/macros/", {"macro": late_box.pk}, format="json")

    story = agent_api.get(f"/api/v1/customers/{mailed.customer.pk}/story/").json()

    assert story["name"] == "Jo Bloggs" and story["cases"][0]["reference"] == mailed.reference
    assert story["remedies"][0]["running_total"] == "10.00" and story["totals"] == {"GBP": "10.00"}
    assert story["messages"][0]["kind"] == "apology"


def test_another_teams_customer_story_is_a_404(other_team, mailed):
    client = APIClient()
    client.force_authenticate(factories.UserFactory(username="oz", role="agent", teams=[other_team]))

    assert client.get(f"/api/v1/customers/{mailed.customer.pk}/story/").status_code == 404
