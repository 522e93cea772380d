"""Social and review monitors: a public post becomes a live case the world is watching."""

import datetime
import json
import urllib.error
import urllib.request
import uuid

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent
from conversations.models import Mention, PublicCase, SignedDelivery
from conversations.signatures import hmac_headers

from .conftest import mention_post

pytestmark = pytest.mark.django_db


def review(**overrides):
    payload = {
        "platform": "tripadvisor",
        "post_id": "tp-981",
        "url": "https://www.tripadvisor.example/ShowUserReviews-981",
        "author_handle": "@jo_travels",
        "text": "Cold food, rude waiter, and nobody cared.",
        "rating": 1,
        "posted_at": "2026-03-04T19:30:00+00:00",
    }
    return payload | overrides


def test_a_review_becomes_a_public_case_with_a_one_minute_first_response_clock(client, monitor):
    response = mention_post(client, monitor, review())
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["case"])
    assert case.channel == "review_site" and case.severity == "high" and case.source_reference.endswith("981")
    public = PublicCase.objects.get(case=case)
    assert (public.platform, public.first_rating, public.rating) == ("tripadvisor", 1, 1)
    clock = case.clocks.get(kind="first_response")
    assert clock.due_at - case.opened_at == datetime.timedelta(minutes=1)
    assert clock.policy.name == "Live: review site"


def test_the_same_post_again_is_a_duplicate_and_an_edit_is_an_update_on_the_same_case(client, monitor):
    first = mention_post(client, monitor, review()).json()
    again = mention_post(client, monitor, review())
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    edited = mention_post(client, monitor, review(rating=4, text="They called me back and fixed it."))
    assert edited.status_code == 200 and edited.json() == {**first, "outcome": "updated"}
    case = Case.objects.get(reference=first["case"])
    assert Case.objects.count() == 1 and Mention.objects.count() == 1
    update = CaseEvent.objects.get(case=case, kind="public.updated")
    assert (update.data["rating_before"], update.data["rating"]) == (1, 4)
    assert PublicCase.objects.get(case=case).rating == 4


def test_a_later_post_by_the_same_author_threads_onto_their_open_case(client, monitor):
    first = mention_post(client, monitor, review(platform="twitter", post_id="tw-1", rating=None)).json()
    second = mention_post(
        client, monitor, review(platform="twitter", post_id="tw-2", author_handle="@JO_travels", rating=None)
    )
    assert second.status_code == 201 and second.json()["outcome"] == "threaded"
    assert second.json()["case"] == first["case"]
    assert CaseEvent.objects.filter(case__reference=first["case"], kind="public.mention").count() == 1
    assert Case.objects.get(reference=first["case"]).channel == "social_media"


def test_no_token_a_wrong_token_a_bad_signature_or_a_replay_write_nothing(client, monitor):
    row, token = monitor
    body = json.dumps(review()).encode()
    assert client.post("/api/v1/intake/mentions/", body, content_type="application/json").status_code == 401
    wrong = mention_post(client, (row, "mon_not-it"), review())
    assert wrong.status_code == 401
    headers = hmac_headers(secret="not-the-secret", body=body, delivery="x", now=timezone.now())
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    forged = client.post(
        "/api/v1/intake/mentions/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **meta,
    )
    assert forged.status_code == 401
    assert Case.objects.count() == 0 and SignedDelivery.objects.count() == 0
    assert mention_post(client, monitor, review(), delivery="same").status_code == 201
    assert mention_post(client, monitor, review(post_id="other"), delivery="same").status_code == 409
    assert Case.objects.count() == 1 and Mention.objects.count() == 1


def test_a_malformed_mention_answers_400_with_each_fields_error(client, monitor):
    response = mention_post(
        client,
        monitor,
        {"platform": "myspace", "url": "ftp://x", "rating": 9, "posted_at": "yesterday", "text": ""},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "platform",
        "url",
        "rating",
        "posted_at",
        "post_id",
        "author_handle",
        "text",
    }
    assert Case.objects.count() == 0 and SignedDelivery.objects.count() == 0


def test_the_agent_records_the_public_reply_which_is_the_first_response(client, monitor, agent):
    reference = mention_post(client, monitor, review()).json()["case"]
    case = Case.objects.get(reference=reference)
    client.force_login(agent)
    page = client.get(f"/cases/{reference}/")
    assert b"the world is watching" in page.content and b"1/5" in page.content
    bad = client.post(
        f"/conversations/cases/{reference}/public-reply/",
        {"text": "", "link": "nope", "private_channel": "fax"},
    )
    assert bad.status_code == 400 and b"e-text" in bad.content and b"e-link" in bad.content
    ok = client.post(
        f"/conversations/cases/{reference}/public-reply/",
        {
            "text": "We are so sorry, Jo. We have sent you a direct message.",
            "link": "https://www.tripadvisor.example/reply/1",
            "private_channel": "direct_message",
            "expected_version": case.version,
        },
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    public = PublicCase.objects.get(case=case)
    assert (
        case.status == "responded"
        and public.private_channel == "direct_message"
        and public.rating_at_reply == 1
    )
    assert case.clocks.get(kind="first_response").stopped_at is not None
    assert CaseEvent.objects.filter(case=case, kind="public.replied").exists()


def test_someone_outside_the_team_cannot_record_a_public_reply(client, monitor, other_team):
    from tests import factories

    outsider = factories.UserFactory(username="omar", role="agent", teams=[other_team])
    reference = mention_post(client, monitor, review()).json()["case"]
    client.force_login(outsider)
    response = client.post(
        f"/conversations/cases/{reference}/public-reply/",
        {"text": "Sorry", "link": "https://x.example/1", "private_channel": "sms"},
    )
    assert response.status_code == 404
    assert not PublicCase.objects.get(case__reference=reference).replied_at


def test_the_dashboard_shows_public_cases_and_their_ratings_before_and_after(client, monitor, lead):
    reference = mention_post(client, monitor, review()).json()["case"]
    case = Case.objects.get(reference=reference)
    from conversations.services import public_reply_record

    public_reply_record(
        case=case, actor=lead, text="Sorry.", link="https://x.example/r", private_channel="phone"
    )
    mention_post(client, monitor, review(rating=5, text="Made it right."))
    client.force_login(lead)
    page = client.get("/insights/").content.decode()
    assert "Public posts and reviews" in page
    assert "Average rating when posted 1.0, after our answer 5.0" in page


@pytest.mark.django_db(transaction=True)
def test_a_fake_monitor_posting_to_the_live_server_opens_one_case_per_post(live_server, monitor):
    """A local HTTP client, shaped like a review monitor, against the real server."""
    row, token = monitor

    def post(payload, delivery):
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        headers |= hmac_headers(secret=row.secret, body=body, delivery=delivery, now=timezone.now())
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/intake/mentions/", data=body, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our live server
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    posts = [review(post_id=f"yelp-{n}", platform="yelp", author_handle=f"diner{n}") for n in range(3)]
    answers = [post(p, uuid.uuid4().hex) for p in posts]
    assert [status for status, _ in answers] == [201, 201, 201]
    retry = post(posts[0], uuid.uuid4().hex)  # the monitor's retry of a post it already sent
    assert retry[0] == 200 and retry[1]["outcome"] == "duplicate"
    assert post(posts[1], "replayed")[0] == 200 and post(posts[2], "replayed")[0] == 409
    assert Case.objects.filter(channel="review_site").count() == 3
