"""NUL bytes and other control characters in the address or a form: a clear answer, never a 500."""

import pytest

from cases.models import Case, Customer
from tests import factories

pytestmark = pytest.mark.django_db

ODD = ["\x00", "Maria\x00", "\x07", "\u202e", "\u200b", "abc", "１２"]


def pages(case):
    """Every browser page that reads the query string, with the parameters it reads."""
    return [
        ("/cases/", ["page"]),
        ("/cases/queue/", ["status", "stage", "team", "unassigned", "page"]),
        ("/cases/search/", ["q"]),
        ("/cases/customers/lookup/", ["q"]),
        ("/insights/", ["start", "end", "team", "channel", "severity", "product", "journey_stage", "bucket"]),
        ("/insights/cases/", ["figure", "value", "page", "team", "start"]),
        ("/insights/cases.csv", ["figure", "value", "product"]),
        ("/insights/customer-360/", ["customer", "product", "journey_stage"]),
        (f"/messaging/cases/{case.reference}/compose/", ["template"]),
        ("/remedies/approvals/", []),
        ("/sla/at-risk/", []),
        ("/sla/notifications/", []),
    ]


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def test_odd_characters_in_any_query_parameter_never_give_a_server_error(lead_client, case):
    lead_client.raise_request_exception = False
    failures = []
    for path, params in pages(case):
        for param in params:
            for value in ODD:
                status = lead_client.get(path, {param: value, "figure": "status"}).status_code
                if status >= 500:
                    failures.append((path, param, value, status))
    assert failures == []


def test_a_search_for_a_nul_byte_says_what_is_wrong(lead_client, case):
    response = lead_client.get("/cases/search/", {"q": "\x00"})
    assert response.status_code == 400
    assert "cannot contain control characters" in response.content.decode()


def test_a_search_with_a_nul_byte_in_the_address_itself_answers_400(lead_client, case):
    # The raw address, as a browser or a curious user would send it.
    response = lead_client.get("/cases/search/?q=%00")
    assert response.status_code == 400


def test_a_message_template_that_is_not_a_number_is_ignored(lead_client, case):
    response = lead_client.get(f"/messaging/cases/{case.reference}/compose/", {"template": "abc"})
    assert response.status_code == 200


def test_nul_bytes_in_the_new_case_form_are_form_errors_and_nothing_is_saved(client, agent, team):
    client.force_login(agent)
    product = factories.ProductFactory()
    response = client.post(
        "/cases/new/",
        {
            "customer_name": "Maria\x00",
            "customer_email": "m@example.com",
            "channel": "phone",
            "summary": "Cold\x00 soup",
            "product": product.pk,
            "journey_stage": "billing",
            "severity": "medium",
            "team": team.pk,
            "description": "Kept text",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "summary" in form.errors and "customer_name" in form.errors
    assert "Kept text" in response.content.decode()
    assert not Case.objects.exists() and not Customer.objects.exists()
