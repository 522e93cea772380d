"""A browser form sent twice acts once: the one-use form token."""

import datetime
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from accounts.formtokens import form_token_issue, form_tokens_prune
from accounts.models import FormToken
from cases import services
from cases.models import CaseEvent
from cases.workflow import Action
from remedies.models import Remedy
from sla.models import Clock
from tests import factories
from tests.remedies.conftest import kind

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def token_of_form(page: str, action: str) -> str:
    """The token rendered in the form that posts to `action`."""
    start = page.index(f'action="{action}"')
    return TOKEN.search(page, start).group(1)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def coupon(db):
    from remedies.demo import install_default_caps

    install_default_caps()
    return kind("coupon", "Coupon or voucher", amount="10")


def remedy_data(coupon, token, **overrides):
    return {"kind": coupon.pk, "amount": "15.00", "currency": "GBP", "note": "Sorry.", "form_token": token,
            **overrides}  # fmt: skip


def test_the_remedy_form_sent_twice_gives_the_remedy_once(agent_client, case, coupon):
    # Given the case page with its remedy form
    page_url = f"/cases/{case.reference}/"
    give = f"/remedies/cases/{case.reference}/give/"
    token = token_of_form(agent_client.get(page_url).content.decode(), give)

    # When the same form is sent twice
    first = agent_client.post(give, remedy_data(coupon, token), HTTP_REFERER=f"http://testserver{page_url}")
    second = agent_client.post(give, remedy_data(coupon, token), HTTP_REFERER=f"http://testserver{page_url}")

    # Then one remedy is given and the second answer says it was already sent
    assert first.status_code == 302 and second.status_code == 302
    assert Remedy.objects.count() == 1
    assert second["Location"] == f"http://testserver{page_url}"
    assert "This was already sent." in agent_client.get(second["Location"]).content.decode()


def test_each_render_of_the_form_carries_a_new_token(agent_client, case, coupon):
    give = f"/remedies/cases/{case.reference}/give/"
    one = token_of_form(agent_client.get(f"/cases/{case.reference}/").content.decode(), give)
    two = token_of_form(agent_client.get(f"/cases/{case.reference}/").content.decode(), give)
    agent_client.post(give, remedy_data(coupon, one))
    agent_client.post(give, remedy_data(coupon, two))
    assert one != two and Remedy.objects.count() == 2


def test_a_form_shown_again_with_errors_can_be_corrected_and_sent(agent_client, case, coupon):
    # Given a remedy form sent with a bad amount
    give = f"/remedies/cases/{case.reference}/give/"
    token = token_of_form(agent_client.get(f"/cases/{case.reference}/").content.decode(), give)
    refused = agent_client.post(give, remedy_data(coupon, token, amount="-5"))
    assert refused.status_code == 400 and Remedy.objects.count() == 0

    # When the corrected form goes with the same token
    corrected = agent_client.post(give, remedy_data(coupon, token))

    # Then it is given, once
    assert corrected.status_code == 302 and Remedy.objects.count() == 1
    assert FormToken.objects.filter(token=token).exists()


def test_a_refused_case_action_releases_its_token(agent_client, agent, case):
    # The first response is sent from the reply composer now: resolving is the page's first move.
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    action = f"/cases/{case.reference}/transition/resolve/"
    token = token_of_form(agent_client.get(f"/cases/{case.reference}/").content.decode(), action)
    refused = agent_client.post(action, {"resolution": "", "form_token": token})
    assert "Please give what was done" in refused.content.decode()
    done = agent_client.post(action, {"resolution": "Refunded.", "form_token": token})
    assert done.status_code == 302
    again = agent_client.post(action, {"resolution": "Refunded.", "form_token": token})
    assert again.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="case.transitioned").count() == 2


def test_a_message_preview_does_not_use_up_the_token(agent_client, agent, team):
    from sla.policies import policies_ensure_defaults

    policies_ensure_defaults()
    customer = factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com", phone="")
    mailed = factories.open_case(actor=agent, team=team, customer=customer, channel="email")
    compose = f"/messaging/cases/{mailed.reference}/compose/"
    token = TOKEN.search(agent_client.get(compose).content.decode()).group(1)
    data = {"kind": "free", "subject": "Hello", "body": "Your refund is on its way.", "form_token": token}
    preview = agent_client.post(compose, {**data, "intent": "preview"})
    sent = agent_client.post(compose, {**data, "intent": "send"})
    again = agent_client.post(compose, {**data, "intent": "send"})
    assert preview.status_code == 200 and sent.status_code == 302 and again.status_code == 302
    assert CaseEvent.objects.filter(case=mailed, kind="case.message.sent").count() == 1


def test_with_htmx_the_second_send_gets_the_clocks_fragment_saying_so(agent_client, case, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    page_url = f"http://testserver/cases/{case.reference}/"
    promise = f"/sla/cases/{case.reference}/promise/"
    token = token_of_form(agent_client.get(page_url).content.decode(), promise)
    data = {"what": "Call back with the refund", "due_at": "2026-06-01T15:00", "form_token": token}
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": page_url}

    first = agent_client.post(promise, data, **htmx)
    second = agent_client.post(promise, data, **htmx)

    assert first.status_code == 200 and 'id="sla-clocks"' in first.content.decode()
    assert second.status_code == 200 and "HX-Redirect" not in second
    fragment = second.content.decode()
    assert fragment.lstrip().startswith('<section class="card clocks" id="sla-clocks"')
    assert "This was already sent." in fragment and "Call back with the refund" in fragment
    assert Clock.objects.filter(case=case, kind="promise").count() == 1


def test_with_htmx_a_view_without_a_fragment_reloads_the_page_with_the_message(agent_client, case):
    page_url = f"http://testserver/cases/{case.reference}/"
    note = f"/cases/{case.reference}/note/"
    data = {"text": "Called the shop.", "form_token": form_token_issue()}
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": page_url}
    agent_client.post(note, data, **htmx)
    second = agent_client.post(note, data, **htmx)
    assert second["HX-Redirect"] == page_url
    assert "This was already sent." in agent_client.get(page_url).content.decode()
    assert CaseEvent.objects.filter(case=case, kind="case.note.added").count() == 1


def test_a_post_without_a_token_runs_as_before(agent_client, case):
    # Scripts and older tests send no token: nothing stops them, as before the token existed.
    note = f"/cases/{case.reference}/note/"
    agent_client.post(note, {"text": "Called the shop."})
    agent_client.post(note, {"text": "Called the shop."})
    assert CaseEvent.objects.filter(case=case, kind="case.note.added").count() == 2


def test_a_made_up_or_day_old_token_sends_nothing_and_says_why(agent_client, case, time_machine):
    note = f"/cases/{case.reference}/note/"
    made_up = agent_client.post(note, {"text": "x", "form_token": "abc"}, follow=True)
    assert "This form could not be read, so nothing was sent" in made_up.content.decode()

    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    token = form_token_issue()
    time_machine.move_to(datetime.datetime(2026, 6, 2, 9, 1, tzinfo=datetime.UTC), tick=False)
    stale = agent_client.post(note, {"text": "x", "form_token": token}, follow=True)
    assert "This page was open for more than a day, so nothing was sent" in stale.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind="case.note.added").exists()


def test_claims_older_than_a_token_lives_are_pruned_on_the_next_claim(agent_client, case, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    note = f"/cases/{case.reference}/note/"
    agent_client.post(note, {"text": "First.", "form_token": form_token_issue()})
    assert FormToken.objects.count() == 1
    time_machine.move_to(datetime.datetime(2026, 6, 2, 10, 1, tzinfo=datetime.UTC), tick=False)
    assert form_tokens_prune() == 1 and FormToken.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the unique index wait needs PostgreSQL")
def test_two_identical_remedy_posts_at_the_same_moment_give_it_once(agent, team):
    # Given one rendered remedy form, sent by two browsers' worth of threads at once
    from remedies.demo import install_default_caps

    install_default_caps()
    coupon = kind("coupon", "Coupon or voucher", amount="10")
    case = factories.open_case(actor=agent, team=team)
    give = f"/remedies/cases/{case.reference}/give/"
    token = form_token_issue()
    start = threading.Barrier(2)
    answers, errors = [], []

    def send():
        try:
            client = Client()
            client.force_login(agent)
            start.wait()
            answers.append(client.post(give, remedy_data(coupon, token)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then both get an answer, and the remedy is given once
    assert errors == []
    assert [a.status_code for a in answers] == [302, 302]
    assert Remedy.objects.count() == 1


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def test_every_form_that_posts_carries_the_token():
    # Every template that can change something: a form with method="post" or an hx-post.
    missing = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = path.read_text()
        for form in FORM.findall(text):
            opening = form[: form.index(">") + 1].lower()
            if ('method="post"' in opening or "hx-post" in opening) and "{% form_token %}" not in form:
                missing.append(f"{path.relative_to(settings.BASE_DIR)}: {opening}")
        if "{% form_token %}" in text and not re.search(r"{% load [^%]*\bform_tokens\b", text):
            missing.append(f"{path.relative_to(settings.BASE_DIR)}: no {{% load form_tokens %}}")
    assert missing == []
