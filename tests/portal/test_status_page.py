"""The customer's status page: a signed personal link, one case, no login, no script."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import services
from cases.models import Case, CaseEvent
from cases.workflow import Action
from messaging.models import CustomerMessage
from messaging.services import message_send
from portal import links
from portal.models import CustomerPhoto, StatusLink
from portal.views import POSTS_PER_TEN_MINUTES
from sla.services import promise_make
from tests import factories

from .conftest import MONDAY_10, link_path

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _update(case, agent, body="We are looking into it."):
    return message_send(case=case, actor=agent, kind="update", body=body)


def _respond(case, agent):
    return services.case_transition(
        case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry, I will sort it."}
    )


def test_every_message_to_the_customer_carries_the_same_personal_link(phoned, agent):
    first, second = _update(phoned, agent), _update(phoned, agent, "Still on it.")
    assert link_path(first.body) == link_path(second.body)
    assert first.notification.body == first.body  # the outbox sends what the case shows
    assert StatusLink.objects.filter(case=phoned).count() == 1


def test_the_page_says_where_it_stands_who_owns_it_what_was_promised_and_the_messages(phoned, agent, client):
    _respond(phoned, agent)
    promise_make(
        case=phoned, actor=agent, what="A replacement box delivered", due_at=MONDAY_10 + timedelta(hours=6)
    )
    sent = _update(phoned, agent, "Your new box is packed.")
    page = client.get(link_path(sent.body))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ava is working on it for you." in text
    assert "A replacement box delivered" in text and "Monday 1 June at 16:00" in text
    assert "Your new box is packed." in text
    assert "<script" not in text  # it works without JavaScript
    assert page["Cache-Control"] == "private, no-store"


def test_nothing_of_another_case_or_customer_is_on_the_page(phoned, agent, team, sam, client):
    other = factories.open_case(actor=agent, team=team, customer=sam, summary="Second complaint, other box")
    stranger = factories.open_case(actor=agent, team=team, summary="A stranger's parcel")
    _update(other, agent, "About your other box.")
    _update(stranger, agent, "About the stranger's parcel.")
    text = client.get(link_path(_update(phoned, agent).body)).content.decode()
    for secret in ("Second complaint", "About your other box.", "A stranger", "parcel"):
        assert secret not in text


@pytest.mark.parametrize(
    "mangle",
    [
        lambda path: path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:],  # one character changed
        lambda path: (
            "/c/" + path.split("/")[2].replace(path.split("/")[2].split(":")[0], "Mg") + "/"
        ),  # other id
        lambda path: "/c/not-a-link/",
    ],
)
def test_a_tampered_link_answers_404_and_reveals_nothing(phoned, agent, client, mangle):
    path = link_path(_update(phoned, agent).body)
    page = client.get(mangle(path))
    assert page.status_code == 404
    assert phoned.reference not in page.content.decode() and "Sam" not in page.content.decode()


def test_a_revoked_link_answers_404_and_the_next_message_carries_a_new_one(phoned, agent, client):
    old = link_path(_update(phoned, agent).body)
    links.link_revoke(case=phoned, actor=agent)
    assert client.get(old).status_code == 404
    new = link_path(_update(phoned, agent).body)
    assert new != old and client.get(new).status_code == 200


def test_a_link_works_for_the_period_after_the_case_closes_then_answers_404(phoned, agent, client, monday):
    path = link_path(_update(phoned, agent).body)
    Case.objects.filter(pk=phoned.pk).update(status="closed", closed_at=MONDAY_10)
    monday(MONDAY_10 + timedelta(days=links.DEFAULT_DAYS_AFTER_CLOSE - 1))
    assert client.get(path).status_code == 200
    monday(MONDAY_10 + timedelta(days=links.DEFAULT_DAYS_AFTER_CLOSE, minutes=1))
    assert client.get(path).status_code == 404


def test_a_reply_lands_on_the_timeline_and_ends_the_wait_on_the_customer(phoned, agent, client):
    case = _respond(phoned, agent)
    case = services.case_transition(
        case=case, action=Action.WAIT_ON_CUSTOMER, actor=agent, data={"reason": "Which box?"}
    )
    assert case.status == "waiting_on_customer"
    path = link_path(_update(case, agent, "Which box was it?").body)
    answer = client.post(path + "reply/", {"text": "The vegetarian one, order 5512."})
    assert answer.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="portal.reply")
    assert event.data["text"] == "The vegetarian one, order 5512."
    assert Case.objects.get(pk=case.pk).status == "responded"
    assert "The vegetarian one, order 5512." in client.get(path).content.decode()


def test_a_photo_is_kept_within_the_mail_attachment_limits(phoned, agent, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    path = link_path(_update(phoned, agent).body)
    photo = SimpleUploadedFile("box.png", PNG, content_type="image/png")
    assert client.post(path + "reply/", {"text": "", "photo": photo}).status_code == 302
    stored = CustomerPhoto.objects.get(case=phoned)
    assert stored.size == len(PNG) and stored.file.read() == PNG


def test_a_file_that_is_not_a_picture_or_too_big_is_refused_with_400(
    phoned, agent, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    path = link_path(_update(phoned, agent).body)
    fake = SimpleUploadedFile("box.png", b"MZ not a png", content_type="image/png")
    page = client.post(path + "reply/", {"text": "see", "photo": fake})
    assert page.status_code == 400 and "We cannot take this file" in page.content.decode()
    settings.INBOUND_ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("box.png", PNG, content_type="image/png")
    assert client.post(path + "reply/", {"text": "see", "photo": big}).status_code == 400
    assert not CustomerPhoto.objects.exists() and not CaseEvent.objects.filter(kind="portal.reply").exists()


def test_an_empty_reply_is_a_400_with_the_reason(phoned, agent, client):
    page = client.post(link_path(_update(phoned, agent).body) + "reply/", {"text": "  "})
    assert page.status_code == 400 and "Write your answer" in page.content.decode()


def test_a_flood_of_replies_from_one_link_is_throttled_with_429(phoned, agent, client):
    path = link_path(_update(phoned, agent).body)
    answers = [client.post(path + "reply/", {"text": f"hello {n}"}).status_code for n in range(15)]
    assert answers[:POSTS_PER_TEN_MINUTES] == [302] * POSTS_PER_TEN_MINUTES
    assert set(answers[POSTS_PER_TEN_MINUTES:]) == {429}
    assert CaseEvent.objects.filter(kind="portal.reply").count() == POSTS_PER_TEN_MINUTES


def test_the_forms_are_csrf_protected(phoned, agent):
    path = link_path(_update(phoned, agent).body)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(path + "reply/", {"text": "hello"}).status_code == 403
    assert not CaseEvent.objects.filter(kind="portal.reply").exists()


def test_the_agent_sees_the_reply_in_the_case_page_feed(phoned, agent, client):
    path = link_path(_update(phoned, agent).body)
    client.post(path + "reply/", {"text": "It was the blue box."})
    client.force_login(agent)
    feed = client.get(f"/portal/cases/{phoned.reference}/feed/")
    assert feed.status_code == 200 and "It was the blue box." in feed.content.decode()
    assert CustomerMessage.objects.filter(case=phoned).exists()


def test_an_agent_of_another_team_cannot_read_the_feed(phoned, agent, other_team, client):
    outsider = factories.UserFactory(username="oscar", teams=[other_team])
    client.force_login(outsider)
    assert client.get(f"/portal/cases/{phoned.reference}/feed/").status_code == 404
