import pytest
from rest_framework.test import APIClient

from integrations.tokens import api_token_create
from tests import factories


def client_for(key: str | None = None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def write_token(team):
    return api_token_create(name="Order system", teams=[team], can_write=True)


@pytest.fixture
def read_token(team):
    return api_token_create(name="Reporting", teams=[team], can_write=False)


@pytest.fixture
def api(write_token):
    """A client holding a write token for the 'Front desk' team."""
    return client_for(write_token[1])


@pytest.fixture
def product(db):
    return factories.ProductFactory()


@pytest.fixture
def new_case_body(product):
    return {
        "customer": {"name": "Dana Diner", "email": "dana@example.com"},
        "summary": "Charged above the menu price",
        "product": product.pk,
        "journey_stage": "billing",
        "severity": "high",
        "channel": "web_form",
    }
