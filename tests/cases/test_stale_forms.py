"""A form sent from a page that is out of date is refused like a stale If-Match, and loses nothing.

Every form on the case page that changes the case carries the case's version as the page showed
it. When someone changed the case since, the answer is 409 with "Someone changed this case..."
by that form, the page shows the case as it is now, and what was typed is still in the form.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape

import pytest

from accounts.models import User
from cases import services
from cases.models import Case, CaseEvent, WhatAnswer
from cases.workflow import Action
from insights.models import FollowUpOutcome
from messaging.models import CustomerMessage, MessageTemplate
from tests import factories

pytestmark = pytest.mark.django_db

TYPED = "Typed on the stale page: refund sent by courier"
STALE = "since you opened it: look at what changed and try again."


@pytest.fixture
def sam(team):
    return factories.UserFactory(username="sam", role="agent", teams=[team])


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def respond(case, actor):
    services.case_transition(case=case, action=Action.RESPOND, actor=actor, data={"message": "Sorry."})


def resolve(case, actor):
    respond(case, actor)
    services.case_transition(case=case, action=Action.RESOLVE, actor=actor, data={"resolution": "Refunded."})


def wait(case, actor):
    respond(case, actor)
    services.case_transition(case=case, action=Action.WAIT_ON_CUSTOMER, actor=actor, data={"reason": "Photo"})


def reach_why(case, actor):
    services.triage_record_what(case=case, actor=actor, answers=factories.WHAT_ANSWERS)
    services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=actor)


def reach_different(case, actor):
    reach_why(case, actor)
    answers = {"root_cause": factories.root_cause(), "explanation": "Late van.", "origin": "vendor"}
    services.triage_record_why(case=case, actor=actor, answers=answers)
    services.case_transition(case=case, action=Action.COMPLETE_WHY, actor=actor)


def ready_to_close(case, actor):
    reach_different(case, actor)
    answers = {"no_change_needed": True, "no_change_reason": "A one-off."}
    services.triage_record_different(case=case, actor=actor, answers=answers)
    services.case_transition(case=case, action=Action.COMPLETE_DIFFERENT, actor=actor)
    resolve(case, actor)


def apology_pk() -> int:
    return MessageTemplate.objects.get(kind="apology").pk


def status_is(status):
    return lambda case: Case.objects.get(pk=case.pk).status == status


def why_body():
    return {"root_cause": factories.root_cause().pk, "explanation": TYPED, "origin": "ours"}


@dataclass
class Form:
    """One form of the case page: how to reach it, where it posts, what it sends, what it does."""

    name: str
    url: str  # formatted with the case's reference
    body: Callable[[], dict]
    done: Callable[[Case], bool]
    setup: Callable = lambda case, actor: None
    typed: str = TYPED
    extra: dict = field(default_factory=dict)


FORMS = [
    Form(
        "apology from the reply composer",
        "/messaging/cases/{}/reply/",
        lambda: {"visibility": "public", "template": apology_pk(), "body": TYPED},
        status_is("responded"),
    ),
    Form(
        "wait on customer",
        "/cases/{}/transition/wait_on_customer/",
        lambda: {"reason": TYPED},
        status_is("waiting_on_customer"),
        setup=respond,
    ),
    Form(
        "customer replied",
        "/cases/{}/transition/customer_replied/",
        lambda: {"note": TYPED},
        status_is("responded"),
        setup=wait,
    ),
    Form(
        "resolve",
        "/cases/{}/transition/resolve/",
        lambda: {"resolution": TYPED},
        status_is("resolved"),
        setup=respond,
    ),
    Form(
        "follow up",
        "/cases/{}/transition/follow_up/",
        lambda: {"note": TYPED},
        status_is("followed_up"),
        setup=resolve,
    ),
    Form(
        "reopen",
        "/cases/{}/transition/reopen/",
        lambda: {"reason": TYPED},
        status_is("responded"),
        setup=resolve,
    ),
    Form(
        "close",
        "/cases/{}/transition/close/",
        lambda: {},
        status_is("closed"),
        setup=ready_to_close,
        typed="",
    ),
    Form(
        "assign",
        "/cases/{}/assign/",
        lambda: {"to_owner": User.objects.get(username="nia").pk, "reason": TYPED},
        lambda case: Case.objects.get(pk=case.pk).owner.username == "nia",
        setup=respond,
    ),
    Form(
        "internal note from the reply composer",
        "/messaging/cases/{}/reply/",
        lambda: {"visibility": "internal", "body": TYPED},
        lambda case: CaseEvent.objects.filter(case=case, kind="case.note.added").exists(),
    ),
    Form(
        "WHAT",
        "/cases/{}/triage/what/",
        lambda: {**factories.WHAT_ANSWERS, "complaint": TYPED},
        lambda case: WhatAnswer.objects.filter(case=case, complaint=TYPED).exists(),
    ),
    Form(
        "WHAT, saved and completed",
        "/cases/{}/triage/what/",
        lambda: {**factories.WHAT_ANSWERS, "complaint": TYPED, "complete": "1"},
        lambda case: Case.objects.get(pk=case.pk).triage_stage == "why",
    ),
    Form(
        "WHY",
        "/cases/{}/triage/why/",
        why_body,
        lambda case: Case.objects.get(pk=case.pk).triage_stage == "different",
        setup=reach_why,
        extra={"complete": "1"},
    ),
    Form(
        "WHAT DIFFERENT",
        "/cases/{}/triage/different/",
        lambda: {"no_change_needed": "on", "no_change_reason": TYPED},
        lambda case: Case.objects.get(pk=case.pk).triage_stage == "done",
        setup=reach_different,
        extra={"complete": "1"},
    ),
    Form(
        "follow-up outcome",
        "/insights/case/{}/follow-up/",
        lambda: {"outcome": "satisfied", "retained": "yes", "note": TYPED},
        lambda case: FollowUpOutcome.objects.filter(case=case).exists(),
        setup=resolve,
    ),
    Form(
        "apology message",
        "/messaging/cases/{}/compose/",
        lambda: {"kind": "apology", "body": TYPED, "intent": "send"},
        lambda case: CustomerMessage.objects.filter(case=case, kind="apology").exists(),
    ),
]


def the_form(html: str, url: str) -> str:
    """The HTML of the POST form that sends to `url` (the compose and follow-up pages post to
    themselves: their only POST form)."""
    start = html.find(f'action="{url}"')
    if start == -1:
        start = html.find('<form method="post" action=""')
    if start == -1:
        start = html.find('<form method="post" class="card intake"')
    assert start != -1, f"no form posting to {url}"
    return unescape(html[start : html.index("</form>", start)])


def version_in(form_html: str) -> int:
    return int(re.search(r'name="expected_version" value="(\d+)"', form_html).group(1))


def prepare(form: Form, case, lead, team):
    factories.UserFactory(username="nia", role="agent", teams=[team])  # the hand-off's new owner
    form.setup(case, lead)
    return form.url.format(case.reference), {**form.body(), **form.extra}


def someone_else_changes(case, sam):
    services.case_update(case=case, actor=sam, changes={"summary": "Changed by Sam meanwhile"})


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_a_stale_form_is_refused_with_409_and_keeps_what_was_typed(form, lead_client, lead, sam, team, case):
    # Given the page rendered at the case's version, with the form on it
    url, body = prepare(form, case, lead, team)
    on_case_page = url.startswith(("/cases/", "/messaging/cases/")) and not url.endswith("/compose/")
    page = lead_client.get(f"/cases/{case.reference}/" if on_case_page else url).content.decode()
    seen = version_in(the_form(page, url))
    assert seen == Case.objects.get(pk=case.pk).version
    # When someone else changes the case, then the form is sent
    someone_else_changes(case, sam)
    response = lead_client.post(url, {**body, "expected_version": seen})

    # Then: refused, nothing done, the message by the form with what was typed, the case as it is now
    assert response.status_code == 409
    assert not form.done(case)
    assert Case.objects.get(pk=case.pk).version == seen + 1
    html = response.content.decode()
    sent = the_form(html, url)
    assert f"Someone changed case {case.reference} {STALE}" in sent
    assert form.typed in sent
    assert "Changed by Sam meanwhile" in html
    # and the form now carries the current version: sent again, it goes through
    assert version_in(sent) == seen + 1
    again = lead_client.post(url, {**body, "expected_version": seen + 1})
    assert again.status_code == 302
    assert form.done(case)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_a_form_with_the_current_version_goes_through(form, lead_client, lead, team, case):
    url, body = prepare(form, case, lead, team)
    version = Case.objects.get(pk=case.pk).version

    response = lead_client.post(url, {**body, "expected_version": version})

    assert response.status_code == 302
    assert form.done(case)


def test_a_form_from_a_page_older_than_the_version_field_is_last_write_wins(lead_client, sam, case):
    someone_else_changes(case, sam)

    response = lead_client.post(f"/cases/{case.reference}/transition/respond/", {"message": TYPED})

    assert response.status_code == 302
    assert status_is("responded")(case)


@pytest.mark.parametrize("junk", ["seven", "", "-1", "1.5", "²"])
def test_a_version_that_is_not_a_number_is_a_400_that_loses_nothing(junk, lead_client, case):
    url = f"/messaging/cases/{case.reference}/reply/"
    body = {"visibility": "public", "template": apology_pk(), "body": TYPED, "expected_version": junk}

    response = lead_client.post(url, body)

    assert response.status_code == 400
    assert not status_is("responded")(case)
    sent = the_form(response.content.decode(), url)
    assert "This form could not be read" in sent and TYPED in sent


def test_a_move_someone_else_already_made_is_kept_read_only_with_the_tables_reason(
    lead_client, lead, sam, case
):
    # Both opened the responded case; Sam resolves it first.
    respond(case, lead)
    seen = Case.objects.get(pk=case.pk).version
    services.case_transition(case=case, action=Action.RESOLVE, actor=sam, data={"resolution": "Sam's fix."})
    url = f"/cases/{case.reference}/transition/resolve/"

    response = lead_client.post(url, {"resolution": TYPED, "expected_version": seen})

    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).resolution == "Sam's fix."
    sent = the_form(response.content.decode(), url)
    assert STALE in sent
    assert "'Resolve for the customer' is not possible from 'resolved'" in sent
    assert TYPED in sent and "readonly" in sent
    assert 'type="submit"' not in sent  # what was typed can be copied, not sent again


def test_every_case_changing_form_on_the_case_page_carries_the_version(lead_client, lead, case):
    # WHY reached and the case resolved: the triage, follow-up and most moves are on the page.
    reach_why(case, lead)
    resolve(case, lead)
    version = Case.objects.get(pk=case.pk).version
    html = lead_client.get(f"/cases/{case.reference}/").content.decode()

    changing = re.compile(r'/(transition/\w+|triage/\w+|assign|note|follow-up)/"$')
    forms = re.findall(r'<form method="post" action="([^"]*)"(.*?)</form>', html, re.S)
    checked = [action for action, inner in forms if changing.search(f'{action}"')]
    assert len(checked) >= 7  # follow up, reopen, what, why, hand-off, note, outcome
    for action, inner in forms:
        if changing.search(f'{action}"'):
            assert f'name="expected_version" value="{version}"' in inner, action
