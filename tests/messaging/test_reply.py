"""The case page's one composer: a public reply or an internal note, at every stage."""

import re

import pytest

from cases.models import Case, CaseEvent
from cases.services import case_transition
from cases.workflow import Action
from messaging.models import CustomerMessage, MessageTemplate
from sla.models import Clock
from tests import factories

pytestmark = pytest.mark.django_db


def written(body: str) -> str:
    """What the agent wrote: every customer message ends with the link to their status page."""
    text, _, link = body.partition("\n\nWhere your case stands, and to answer us: ")
    assert "/c/" in link, body
    return text


def url(case):
    return f"/messaging/cases/{case.reference}/reply/"


def test_the_owners_first_public_reply_is_the_first_response(client, agent, mailed):
    client.force_login(agent)

    response = client.post(url(mailed), {"visibility": "public", "body": "Hello {first_name}, I own this."})

    assert response.status_code == 302 and response["Location"].endswith("#messages")
    sent = CustomerMessage.objects.get()
    assert (
        written(sent.body) == "Hello Jo, I own this."
        and sent.kind == "free"
        and sent.address == "jo@example.com"
    )
    case = Case.objects.get()
    assert case.status == "responded" and case.first_response == "Hello Jo, I own this."
    assert Clock.objects.get(case=case, kind="first_response").stopped_at is not None


def test_a_free_reply_from_someone_else_is_not_the_first_response_but_the_apology_is(
    client, lead, agent, mailed
):
    client.force_login(lead)
    client.post(url(mailed), {"visibility": "public", "body": "A colleague writes."})
    assert Case.objects.get().status == "new"

    apology = MessageTemplate.objects.get(kind="apology")
    client.post(url(mailed), {"visibility": "public", "template": apology.pk, "body": "Sorry, {first_name}."})
    assert Case.objects.get().status == "responded"


def test_an_internal_note_sends_nothing_and_shows_in_the_conversation(client, agent, mailed):
    client.force_login(agent)

    client.post(url(mailed), {"visibility": "internal", "body": "Customer sounded upset."})

    assert not CustomerMessage.objects.exists()
    assert CaseEvent.objects.get(kind="case.note.added").data["text"] == "Customer sounded upset."
    page = client.get(f"/cases/{mailed.reference}/")
    assert "Customer sounded upset." in page.content.decode()
    assert Case.objects.get().status == "new"


def test_a_resolved_case_can_still_be_written_to(client, agent, mailed):
    case = case_transition(case=mailed, action=Action.RESPOND, actor=agent, data={"message": "Sorry"})
    case = case_transition(case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Refunded"})
    client.force_login(agent)

    response = client.post(url(case), {"visibility": "public", "body": "Your refund is on its way."})

    assert response.status_code == 302
    assert written(CustomerMessage.objects.get().body) == "Your refund is on its way."


def test_an_empty_reply_is_refused_on_the_case_page_with_what_was_typed(client, agent, mailed):
    client.force_login(agent)

    page = client.post(url(mailed), {"visibility": "public", "subject": "Kept subject", "body": "  "})

    assert page.status_code == 400
    assert "Write the message: it is empty." in page.content.decode()
    assert 'value="Kept subject"' in page.content.decode()
    assert not CustomerMessage.objects.exists()


def test_someone_outside_the_team_gets_a_404(client, other_team, mailed):
    client.force_login(factories.UserFactory(username="oz", role="agent", teams=[other_team]))

    assert client.post(url(mailed), {"visibility": "public", "body": "x"}).status_code == 404
    assert not CustomerMessage.objects.exists()


def test_the_conversation_shows_messages_in_and_out_with_body_channel_and_state(client, agent, mailed):
    client.force_login(agent)
    client.post(url(mailed), {"visibility": "public", "body": "We are on it."})
    CaseEvent.objects.create(
        case=mailed,
        kind="case.customer_message",
        data={"from": "jo@example.com", "name": "Jo", "subject": "Re: We are sorry", "text": "Thanks!"},
        created_at=CustomerMessage.objects.get().created_at,
    )

    page = client.get(f"/cases/{mailed.reference}/").content.decode()

    assert "We are on it." in page and "Thanks!" in page and "Re: We are sorry" in page
    assert "queued" in page and "E-mail" in page


def test_the_preview_fills_the_placeholders(client, agent, mailed):
    client.force_login(agent)

    page = client.post(f"{url(mailed)}preview/", {"body": "Hello {first_name}, ref {reference}"})

    assert page.status_code == 200
    assert f"Hello Jo, ref {mailed.reference}" in page.content.decode()


def test_the_case_page_has_no_two_fields_with_one_id(client, agent, mailed):
    import re

    client.force_login(agent)

    ids = re.findall(r'\sid="([^"]+)"', client.get(f"/cases/{mailed.reference}/").content.decode())

    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_the_preview_a_blur_sends_beside_the_send_neither_spends_nor_spoils_its_token(client, agent, mailed):
    # Clicking Send blurs the message box, and the blur posts the live preview with the same form,
    # token included, at the same moment as the send.
    client.force_login(agent)
    page = client.get(f"/cases/{mailed.reference}/").content.decode()
    start = page.index('id="reply-form"')
    token = re.search(r'name="form_token" value="([^"]+)"', page[start:]).group(1)
    form = {"visibility": "public", "body": "Hello {first_name}, I am on it.", "form_token": token}
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver/cases/{mailed.reference}/"}

    preview_before = client.post(f"{url(mailed)}preview/", form, **htmx)
    sent = client.post(url(mailed), form)
    preview_after = client.post(f"{url(mailed)}preview/", form, **htmx)

    # Then the message goes once, and both previews show the text, not "This was already sent."
    assert sent.status_code == 302 and CustomerMessage.objects.count() == 1
    for preview in (preview_before, preview_after):
        assert preview.status_code == 200 and "HX-Redirect" not in preview
        assert "Hello Jo, I am on it." in preview.content.decode()
    flashes = [str(m) for m in client.get(sent["Location"]).context["messages"]]
    assert flashes == ["Sent to Jo Bloggs by e-mail."]
