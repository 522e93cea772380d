"""One customer, taken in through every door the product has, for the erasure and export tests."""

from dataclasses import dataclass
from decimal import Decimal

from django.test import Client

from cases.models import Case, Customer
from inbound import services as inbound
from integrations.subscriptions import webhook_subscription_create
from integrations.tokens import api_token_create
from messaging.services import message_send
from remedies.demo import install_default_caps
from remedies.models import RemedyKind
from remedies.services import remedy_give
from sla.policies import policies_ensure_defaults
from tests import factories
from tests.api.conftest import client_for
from tests.inbound.mail import compose

NAME = "Quintessa Marlowe-Vance"
EMAIL = "quintessa.mv@lantern-privacy.example"
LOCAL_PART = "quintessa.mv"
PHONE = "+44 7700 900461"
ATTACHMENT = b"%PDF-1.4 receipt for Quintessa Marlowe-Vance, quintessa.mv@lantern-privacy.example"


@dataclass
class Seeded:
    customer: Customer
    cases: list[Case]


def seed_customer_everywhere(*, team, agent, manager) -> Seeded:
    policies_ensure_defaults()
    install_default_caps()
    webhook_subscription_create(
        actor=manager, name="CRM", url="http://127.0.0.1:9/hooks", event_types=[], secret="s" * 32
    )

    # The intake form in the browser.
    browser = Client()
    browser.force_login(agent)
    product = factories.ProductFactory()
    response = browser.post(
        "/cases/new/",
        {
            "customer_name": NAME,
            "customer_email": EMAIL,
            "customer_phone": PHONE,
            "channel": "phone",
            "summary": f"{NAME} was charged twice",
            "description": f"Call back on {PHONE} or write to {EMAIL}.",
            "product": product.pk,
            "journey_stage": "billing",
            "severity": "medium",
            "team": team.pk,
        },
    )
    assert response.status_code == 302, response.content

    # The API, with an Idempotency-Key so the answer is stored too.
    _, key = api_token_create(name="Shop", teams=[team], can_write=True)
    response = client_for(key).post(
        "/api/v1/cases/",
        {
            "customer": {"name": NAME, "email": EMAIL, "phone": PHONE},
            "summary": f"Order for {NAME} lost",
            "description": f"Ship to {NAME}",
            "product": product.pk,
            "journey_stage": "delivery",
            "severity": "high",
            "channel": "web_form",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-77",
    )
    assert response.status_code == 201, response.content

    # A mail with an attachment, then a reply to the case it opened.
    raw = compose(
        sender=f"{NAME} <{EMAIL}>",
        subject=f"Lamp broken - {NAME}",
        text=f"Regards, {NAME}, {PHONE}",
        attachments=(("quintessa-receipt.pdf", "application/pdf", ATTACHMENT),),
    )
    receipt = inbound.message_receive(raw=raw, received_via="smtp")
    assert receipt.status == "case_opened"
    mailed = receipt.message.case
    reply = compose(
        sender=f"{NAME} <{EMAIL}>",
        subject=f"Re: [{mailed.reference}] Lamp broken",
        text=f"Still broken. {NAME}",
    )
    assert inbound.message_receive(raw=reply, received_via="smtp").status == "threaded"

    # A message to the customer (its outbox notification comes with it) and a remedy.
    mailed.refresh_from_db()
    message_send(
        case=mailed, actor=agent, kind="apology", subject=f"Sorry, {NAME}", body="Sorry {first_name}."
    )
    coupon = RemedyKind.objects.get_or_create(
        code="coupon", defaults={"name": "Coupon", "costs_money": True, "default_amount": Decimal("10")}
    )[0]
    remedy_give(case=mailed, actor=agent, kind=coupon, amount="10.00", currency="GBP", note=f"For {NAME}")

    customer = Customer.objects.get(email=EMAIL)
    return Seeded(customer=customer, cases=list(Case.objects.filter(customer=customer).order_by("id")))
