"""The compose page: only for the case's team, says what is wrong, loses nothing."""

import pytest

from cases.models import CaseEvent
from messaging.models import MessageTemplate
from sla.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def url(case):
    return f"/messaging/cases/{case.reference}/compose/"


def test_another_teams_case_is_not_found(client, other_team, mailed):
    outsider = factories.UserFactory(username="oz", role="agent", teams=[other_team])
    client.force_login(outsider)

    assert client.get(url(mailed)).status_code == 404
    assert client.post(url(mailed), {"kind": "free", "body": "x", "intent": "send"}).status_code == 404
    assert not Notification.objects.exists()


def test_the_case_page_offers_the_templates(client, agent, mailed):
    client.force_login(agent)

    page = client.get(f"/cases/{mailed.reference}/")

    assert b"Conversation" in page.content and b'id="reply-form"' in page.content
    assert b"Apology and ownership" in page.content


def test_preview_fills_in_the_facts_and_keeps_the_placeholders_editable(client, agent, mailed):
    client.force_login(agent)
    apology = MessageTemplate.objects.get(kind="apology")

    page = client.get(url(mailed), {"template": apology.pk})

    assert page.status_code == 200
    assert "{first_name}" in page.context["form"].initial["body"]
    assert page.context["preview"].body.startswith("Hello Jo,")


def test_an_empty_body_is_a_form_error_and_the_rest_is_kept(client, agent, mailed):
    client.force_login(agent)

    page = client.post(
        url(mailed), {"kind": "apology", "subject": "Kept subject", "body": " ", "intent": "send"}
    )

    assert page.status_code == 400
    assert page.context["form"].errors["body"] == ["Write the message: it is empty."]
    assert b'value="Kept subject"' in page.content
    assert not CaseEvent.objects.filter(kind="case.message.sent").exists()


def test_a_customer_with_no_address_is_a_form_error_on_the_channel(client, agent, team):
    case = factories.open_case(actor=agent, team=team, customer=factories.CustomerFactory(email="", phone=""))
    client.force_login(agent)

    page = client.post(url(case), {"kind": "free", "body": "Hello there", "intent": "send"})

    assert page.status_code == 400
    assert "no e-mail address or phone number" in page.context["form"].errors["channel"][0]
    assert b"Hello there</textarea>" in page.content
    assert not Notification.objects.exists()


def test_sending_returns_to_the_case_which_lists_the_message(client, agent, mailed):
    client.force_login(agent)

    answer = client.post(
        url(mailed), {"kind": "apology", "subject": "Sorry", "body": "Sorry.", "intent": "send"}
    )

    assert answer.status_code == 302 and answer["Location"] == f"/cases/{mailed.reference}/#messages"
    page = client.get(answer["Location"])
    assert b"Message sent to the customer." in page.content
    assert b"to jo@example.com" in page.content


@pytest.mark.parametrize("subject", ["Sorry\nBcc: everyone@example.com", "Two\r\nlines", "Line\u2028break"])
def test_a_subject_with_a_line_break_is_a_form_error_and_nothing_is_sent(client, agent, mailed, subject):
    client.force_login(agent)

    page = client.post(
        url(mailed), {"kind": "free", "subject": subject, "body": "Hello there", "intent": "send"}
    )

    assert page.status_code == 400
    assert "one line" in page.context["form"].errors["subject"][0]
    assert b"Hello there</textarea>" in page.content
    assert not Notification.objects.exists()
    assert not CaseEvent.objects.filter(kind="case.message.sent").exists()
