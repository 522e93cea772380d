"""The browser views: team scoping, intake and triage forms, clear errors."""

import pytest

from cases import services
from cases.models import Case, Customer
from cases.workflow import Action
from tests import factories
from tests.factories import PASSWORD, WHAT_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_anonymous_users_are_sent_to_log_in(client, case):
    for url in ("/cases/", "/cases/queue/", f"/cases/{case.reference}/", "/cases/new/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_agent_gets_404_on_another_teams_case(client, other_team, case):
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    client.force_login(stranger)
    assert client.get(f"/cases/{case.reference}/").status_code == 404
    response = client.post(f"/cases/{case.reference}/transition/respond/", {"message": "hi"})
    assert response.status_code == 404
    assert client.get("/cases/search/", {"q": case.reference}).context["results"].count() == 0
    assert Case.objects.get(pk=case.pk).status == "new"


def test_a_manager_sees_every_teams_cases(client, manager, case):
    client.force_login(manager)
    assert client.get(f"/cases/{case.reference}/").status_code == 200
    assert case in client.get("/cases/queue/").context["page"].object_list


def test_my_cases_lists_only_my_open_cases(agent_client, agent, team, case):
    sam = factories.UserFactory(username="sam", teams=[team])
    other = factories.open_case(actor=sam, team=team)
    page = agent_client.get("/cases/").context["page"]
    assert list(page.object_list) == [case]
    assert other not in page.object_list


def test_logging_in_with_a_password_works(client, agent):
    response = client.post("/login/", {"username": "ava", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/cases/"


def test_intake_creates_the_customer_and_case(agent_client, team):
    product = factories.ProductFactory()
    response = agent_client.post(
        "/cases/new/",
        {
            "customer_name": "Maria Lopez",
            "customer_email": "maria@example.com",
            "customer_phone": "",
            "channel": "phone",
            "summary": "Charged above the menu price",
            "description": "",
            "product": product.pk,
            "journey_stage": "billing",
            "severity": "medium",
            "team": team.pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.reference}/"
    assert case.customer.name == "Maria Lopez" and case.channel == "phone"


def test_intake_with_bad_input_shows_field_errors_and_keeps_what_was_typed(agent_client, team):
    product = factories.ProductFactory()
    response = agent_client.post(
        "/cases/new/",
        {
            "customer_name": "Maria",
            "customer_email": "not-an-email",
            "customer_phone": "call me",
            "channel": "phone",
            "summary": "",
            "product": product.pk,
            "journey_stage": "billing",
            "severity": "medium",
            "team": team.pk,
            "description": "Long story kept",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"customer_email", "customer_phone", "summary"}
    body = response.content.decode()
    assert "Long story kept" in body and "Enter a valid email address." in body
    assert not Case.objects.exists() and not Customer.objects.exists()


def test_an_agent_cannot_open_a_case_for_another_team(agent_client, other_team):
    product = factories.ProductFactory()
    response = agent_client.post(
        "/cases/new/",
        {
            "customer_name": "Maria",
            "customer_email": "m@example.com",
            "channel": "phone",
            "summary": "x",
            "product": product.pk,
            "journey_stage": "billing",
            "severity": "medium",
            "team": other_team.pk,
        },
    )
    assert response.status_code == 400 and "team" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_refused_transition_says_what_is_missing(agent_client, case, agent):
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    response = agent_client.post(f"/cases/{case.reference}/transition/resolve/", {"resolution": ""})
    assert response.status_code == 200
    assert "Please give what was done for the customer." in response.content.decode()


def test_saving_what_and_moving_on_from_the_case_page(agent_client, case):
    response = agent_client.post(f"/cases/{case.reference}/triage/what/", {**WHAT_ANSWERS, "complete": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.triage_stage == "why" and case.what.complaint == WHAT_ANSWERS["complaint"]


def test_completing_what_with_missing_answers_keeps_the_typed_answers(agent_client, case):
    response = agent_client.post(
        f"/cases/{case.reference}/triage/what/", {"complaint": "Cold soup", "complete": "1"}
    )
    body = response.content.decode()
    assert "WHAT needs the point of the journey where the customer became unhappy." in body
    assert "Cold soup" in body
    case.refresh_from_db()
    assert case.triage_stage == "what" and case.what.complaint == "Cold soup"


def test_the_case_page_shows_the_timeline(agent_client, case):
    agent_client.post(f"/cases/{case.reference}/transition/respond/", {"message": "So sorry, I own this."})
    body = agent_client.get(f"/cases/{case.reference}/").content.decode()
    assert "gave the first response: New → Responded" in body
    assert "opened the case" in body


def test_search_finds_a_case_by_reference_and_customer_email(agent_client, case):
    assert list(agent_client.get("/cases/search/", {"q": case.reference.lower()}).context["results"]) == [
        case
    ]
    found = agent_client.get("/cases/search/", {"q": case.customer.email}).context["results"]
    assert list(found) == [case]


def test_the_customer_lookup_finds_by_phone(agent_client, case):
    response = agent_client.get("/cases/customers/lookup/", {"q": case.customer.phone[-5:]})
    assert case.customer.name in response.content.decode()


def test_asking_what_a_listed_case_allows_costs_no_query(django_assert_num_queries, agent, team):
    from cases.selectors import can
    from cases.workflow import Action, Work

    factories.open_case(actor=agent, team=team)
    rows = list(Case.objects.all())
    with django_assert_num_queries(0):
        assert [can(row, Action.RESPOND, user=agent) for row in rows] == [True]
        assert [can(row, Work.GIVE_REMEDY, user=agent) for row in rows] == [True]
        assert [can(row, Action.COMPLETE_WHY, user=agent) for row in rows] == [False]
