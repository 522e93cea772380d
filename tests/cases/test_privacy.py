import json

import pytest

from cases.models import Case, Customer

pytestmark = pytest.mark.django_db


def test_a_manager_exports_everything_held_about_a_customer(client, manager, case):
    client.force_login(manager)
    response = client.get(f"/cases/customers/{case.customer.pk}/export.json")
    data = json.loads(response.content)
    assert data["customer"]["email"] == case.customer.email
    assert [c["reference"] for c in data["cases"]] == [case.reference]
    assert data["cases"][0]["timeline"][0]["kind"] == "case.opened"


def test_agents_cannot_export_or_erase(client, agent, case):
    client.force_login(agent)
    assert client.get(f"/cases/customers/{case.customer.pk}/export.json").status_code == 403
    assert client.post(f"/cases/customers/{case.customer.pk}/erase/", {"reason": "x"}).status_code == 403


def test_erasure_needs_a_reason_and_the_name_typed(client, manager, case):
    client.force_login(manager)
    response = client.post(f"/cases/customers/{case.customer.pk}/erase/", {"reason": "Asked by phone"})
    assert "Type the customer" in response.content.decode()
    assert Customer.objects.get(pk=case.customer.pk).email == case.customer.email


def test_erasure_anonymises_the_customer_and_keeps_the_case_with_a_timeline_entry(client, manager, case):
    client.force_login(manager)
    name = case.customer.name
    response = client.post(
        f"/cases/customers/{case.customer.pk}/erase/", {"reason": "Request of 25 Nov", "confirm_name": name}
    )
    assert response.status_code == 302
    customer = Customer.objects.get(pk=case.customer.pk)
    assert customer.email == "" and customer.phone == "" and name not in customer.name
    kept = Case.objects.get(pk=case.pk)
    assert kept.description == "[erased]" and kept.summary == case.summary
    assert kept.events.filter(kind="customer.erased", actor=manager).count() == 1
