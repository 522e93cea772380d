"""The desk in the browser: the customer page, the intake's context, managing and applying macros."""

from decimal import Decimal

import pytest

from cases.models import Case
from desk.models import Macro
from messaging.models import CustomerMessage
from remedies.models import Remedy
from remedies.services import remedy_give
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_the_customer_page_shows_cases_remedies_with_the_running_total_and_messages(
    agent_client, agent, mailed, coupon, caps
):
    remedy_give(case=mailed, actor=agent, kind=coupon, amount="10.00", currency="GBP")
    remedy_give(case=mailed, actor=agent, kind=coupon, amount="5.50", currency="GBP")
    agent_client.post(
        f"/messaging/cases/{mailed.reference}/reply/", {"visibility": "public", "body": "On it."}
    )

    page = agent_client.get(f"/desk/customers/{mailed.customer.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert mailed.reference in html and "jo@example.com" in html
    lines = page.context["story"].remedies
    assert [line.running_total for line in lines] == [Decimal("10.00"), Decimal("15.50")]
    assert "15.50 GBP" in html and "On it." in html


def test_the_customer_page_is_a_404_for_a_customer_of_another_team_only(client, other_team, mailed):
    client.force_login(factories.UserFactory(username="oz", role="agent", teams=[other_team]))

    assert client.get(f"/desk/customers/{mailed.customer.pk}/").status_code == 404


def test_the_case_page_links_to_the_customer_page(agent_client, mailed):
    html = agent_client.get(f"/cases/{mailed.reference}/").content.decode()

    assert f'href="/desk/customers/{mailed.customer.pk}/"' in html


def test_the_intake_context_says_how_long_the_agent_has_and_what_the_customer_received(
    agent_client, agent, mailed, coupon, caps
):
    remedy_give(case=mailed, actor=agent, kind=coupon, amount="10.00", currency="GBP")
    earlier = factories.open_case(actor=agent, team=mailed.team, customer=mailed.customer, summary="Old one")
    Case.objects.filter(pk=earlier.pk).update(status="closed")

    page = agent_client.get(
        "/desk/intake/context/", {"customer": mailed.customer.pk, "channel": "phone", "severity": "medium"}
    )

    html = page.content.decode()
    assert "You have" in html and "to give the first response" in html
    assert earlier.reference in html and f"/cases/{mailed.reference}/" not in html  # the open one: beside
    assert "10.00 GBP" in html


def test_agents_cannot_manage_macros(agent_client):
    assert agent_client.get("/desk/macros/").status_code == 403
    assert agent_client.post("/desk/macros/new/", {"name": "X", "note": "n"}).status_code == 403
    assert not Macro.objects.exists()


def test_a_lead_defines_a_macro_and_a_macro_without_steps_is_refused(client, lead, apology_template, coupon):
    client.force_login(lead)

    empty = client.post("/desk/macros/new/", {"name": "Nothing", "remedy_currency": "GBP", "position": 0})
    assert empty.status_code == 400 and "at least one step" in empty.content.decode()

    made = client.post(
        "/desk/macros/new/",
        {"name": "Late box", "message_template": apology_template.pk, "remedy_kind": coupon.pk,
         "remedy_amount": "10", "remedy_currency": "GBP", "promise_what": "call back today",
         "promise_hours": "4", "active": "on", "position": 0},
    )  # fmt: skip
    assert made.status_code == 302
    assert Macro.objects.get().created_by == lead


def test_one_click_applies_a_macro_on_the_case_page(agent_client, mailed, late_box):
    page = agent_client.get(f"/cases/{mailed.reference}/").content.decode()
    assert f"/desk/cases/{mailed.reference}/macros/{late_box.pk}/apply/" in page

    response = agent_client.post(f"/desk/cases/{mailed.reference}/macros/{late_box.pk}/apply/", follow=True)

    assert CustomerMessage.objects.count() == 1 and Remedy.objects.count() == 1
    assert "Late box:" in response.content.decode()


def test_a_refused_macro_says_why_and_does_nothing(agent_client, agent, team, late_box):
    case = factories.open_case(actor=agent, team=team, customer=factories.CustomerFactory(email="", phone=""))

    response = agent_client.post(f"/desk/cases/{case.reference}/macros/{late_box.pk}/apply/", follow=True)

    assert "Nothing was done" in response.content.decode()
    assert not CustomerMessage.objects.exists() and not Remedy.objects.exists()
