"""A person's name must be visible text: no invisible-only names, no direction or control codes."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Customer
from cases.validators import validate_person_name
from integrations.tokens import api_token_create
from tests import factories

REFUSED = {
    "zero-width space only": "\u200b\u200b",
    "zero-width joiners and spaces": " \u200d\u200c \ufeff",
    "word joiner and soft hyphen": "\u2060\u00ad",
    "right-to-left override": "Bob\u202eevil",
    "left-to-right embedding": "\u202aAnn",
    "pop directional formatting": "Ann\u202c",
    "first strong isolate": "\u2068Ann\u2069",
    "right-to-left isolate": "\u2067Ann",
    "a tab": "Ann\tLee",
    "a line break": "Ann\nLee",
    "a NUL": "Ann\x00",
    "a bell": "Ann\x07",
}
ACCEPTED = ["Maria Rossi", "Zoë O'Brien-Smith", "محمد", "李小龙", "می\u200cخواهم", "क्\u200dष"]


@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
def test_it_refuses_names_a_reader_cannot_see_or_that_reorder_text(name):
    with pytest.raises(ValidationError):
        validate_person_name(name)


@pytest.mark.parametrize("name", ACCEPTED)
def test_it_accepts_real_names_in_any_script_with_their_joiners(name):
    validate_person_name(name)


@pytest.mark.django_db
def test_the_customer_model_refuses_an_invisible_name_on_full_clean():
    customer = Customer(name="\u200b", email="x@example.com")
    with pytest.raises(ValidationError) as caught:
        customer.full_clean()
    assert "name" in caught.value.message_dict


@pytest.mark.django_db
def test_the_intake_service_refuses_a_right_to_left_override():
    with pytest.raises(ValidationError) as caught:
        services.customer_find_or_create(name="Bob\u202eevil", email="bob@example.com")
    assert "customer_name" in caught.value.message_dict
    assert not Customer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["\u200b\u200d", "Eve\u202egnal"])
def test_the_new_case_form_shows_the_error_under_the_name(client, agent, team, name):
    client.force_login(agent)
    product = factories.ProductFactory()
    response = client.post(
        "/cases/new/",
        {
            "customer_name": name,
            "customer_email": "m@example.com",
            "channel": "phone",
            "summary": "Cold soup",
            "product": product.pk,
            "journey_stage": "billing",
            "severity": "medium",
            "team": team.pk,
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["customer_name"]
    assert not Case.objects.exists() and not Customer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["\u200b\u200b", "Bob\u202eevil", "\u2066Ann\u2069"])
def test_the_api_answers_400_on_the_customer_name(team, name):
    _token, key = api_token_create(name="Order system", teams=[team], can_write=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    product = factories.ProductFactory()
    body = {
        "customer": {"name": name, "email": "dana@example.com"},
        "summary": "Charged above the menu price",
        "channel": "web_form",
        "product": product.pk,
        "journey_stage": "billing",
        "severity": "high",
    }
    response = api.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == ["customer.name"]
    assert not Case.objects.exists() and not Customer.objects.exists()
