"""The export gives everything held about the customer, not only their cases."""

import base64
import json

import pytest
from django.test import Client

from cases.models import Customer
from cases.services.privacy import customer_erase
from remedies.models import RemedyKind
from tests import factories

from .seeding import ATTACHMENT, EMAIL, NAME, seed_customer_everywhere

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(team):
    agent = factories.UserFactory(username="ava", role="agent", teams=[team])
    manager = factories.UserFactory(username="max", role="manager")
    seeded = seed_customer_everywhere(team=team, agent=agent, manager=manager)
    client = Client()
    client.force_login(manager)
    response = client.get(f"/cases/customers/{seeded.customer.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="customer-{seeded.customer.pk}.json"'
    return json.loads(response.content)


def test_the_export_holds_the_customers_mail_with_each_attachment_and_its_content(exported):
    first, reply = exported["inbound"]
    assert first["from_address"] == EMAIL and first["from_name"] == NAME
    assert NAME in first["subject"] and NAME in first["raw"]
    assert reply["status"] == "threaded" and "Still broken" in reply["raw"]
    (attachment,) = first["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "quintessa-receipt.pdf",
        "application/pdf",
        len(ATTACHMENT),
    )
    assert base64.b64decode(attachment["content_base64"]) == ATTACHMENT


def test_the_export_holds_messages_remedies_notifications_and_who_received_their_data(exported):
    (message,) = exported["messaging"]
    assert message["kind"] == "apology" and message["address"] == EMAIL
    assert message["subject"].endswith(f"Sorry, {NAME}") and message["body"].startswith("Sorry Quintessa")
    (remedy,) = exported["remedies"]
    assert (remedy["kind"], remedy["amount"], remedy["currency"], remedy["note"]) == (
        RemedyKind.objects.get(code="coupon").name,
        "10.00",
        "GBP",
        f"For {NAME}",
    )
    assert [n["address"] for n in exported["sla"]] == [EMAIL]
    assert {d["receiver"] for d in exported["integrations"]} == {"CRM"}
    assert len(exported["cases"]) == 3
    assert exported["insights"] == {"survey_answers": [], "follow_ups": []}


def test_after_erasure_the_export_has_nothing_personal_left(team, exported):
    manager = factories.UserFactory(username="mia", role="manager")
    customer = Customer.objects.get(email=EMAIL)
    customer_erase(customer=customer, actor=manager, reason="Asked")
    client = Client()
    client.force_login(manager)
    text = client.get(f"/cases/customers/{customer.pk}/export.json").content.decode().lower()
    assert NAME.lower() not in text and EMAIL.lower() not in text and "quintessa" not in text
    assert "10.00" in text  # the remedy's figures are still there
