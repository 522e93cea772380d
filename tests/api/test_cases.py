"""Reading, listing, changing and moving cases over the API."""

import datetime
import html

import pytest
from django.test import override_settings
from django.utils import timezone

from cases.models import Case
from integrations.tokens import api_token_create
from tests import factories
from tests.api.conftest import client_for
from tests.factories import WHAT_ANSWERS

pytestmark = pytest.mark.django_db


def test_retrieving_a_case_gives_its_etag(api, case):
    response = api.get(f"/api/v1/cases/{case.reference}/")

    assert response.status_code == 200
    assert response["ETag"] == f'"{case.version}"'
    assert response.json()["reference"] == case.reference


def test_a_patch_changes_details_through_the_service_and_bumps_the_etag(api, case):
    response = api.patch(
        f"/api/v1/cases/{case.reference}/", {"severity": "critical"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 200, response.json()
    assert response.json()["severity"] == "critical" and response["ETag"] == '"2"'
    event = case.events.get(kind="case.updated")
    assert event.data == {"changes": {"severity": ["high", "critical"]}}


def test_a_stale_if_match_answers_412_and_changes_nothing(api, case):
    api.patch(f"/api/v1/cases/{case.reference}/", {"summary": "Someone else's edit"}, format="json")

    response = api.patch(
        f"/api/v1/cases/{case.reference}/", {"severity": "low"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    assert response.json()["code"] == "stale"
    case.refresh_from_db()
    assert case.severity == "high"


def test_a_patch_without_if_match_is_allowed(api, case):
    response = api.patch(f"/api/v1/cases/{case.reference}/", {"description": "More detail"}, format="json")

    assert response.status_code == 200


def test_status_cannot_be_written_directly_and_says_to_use_a_transition(api, case):
    response = api.patch(
        f"/api/v1/cases/{case.reference}/", {"status": "closed", "summary": "Changed"}, format="json"
    )

    case.refresh_from_db()
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]["status"][0]
    assert case.status == "new" and case.summary != "Changed"


def test_a_transition_moves_the_case_and_records_it(api, case):
    response = api.post(
        f"/api/v1/cases/{case.reference}/transition/",
        {"action": "respond", "message": "So sorry: I own this and will call you by 5pm."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "responded"
    assert case.events.filter(kind="case.transitioned").count() == 1


def test_a_refused_transition_gives_the_same_problems_as_the_browser(api, client, agent, case):
    client.force_login(agent)
    page = client.post(f"/cases/{case.reference}/triage/what/", {"complete": "1"})

    response = api.post(
        f"/api/v1/cases/{case.reference}/transition/", {"action": "complete_what"}, format="json"
    )

    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems[0] == "WHAT needs what the customer is unhappy about."
    shown = html.unescape(page.content.decode())
    assert all(problem in shown for problem in problems)
    case.refresh_from_db()
    assert case.triage_stage == "what"


def test_a_transition_missing_its_text_names_it(api, case):
    response = api.post(f"/api/v1/cases/{case.reference}/transition/", {"action": "respond"}, format="json")

    assert response.status_code == 400
    assert response.json()["problems"] == ["Please give the apology and ownership given to the customer."]


def test_an_unknown_action_is_a_field_error(api, case):
    response = api.post(f"/api/v1/cases/{case.reference}/transition/", {"action": "teleport"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["action"] == ['"teleport" is not a valid choice.']


def test_an_agent_token_cannot_take_a_leads_step(team, case):
    from integrations.tokens import api_token_create

    from .conftest import client_for

    _, key = api_token_create(name="Chat bot", teams=[team], can_write=True, role="agent")
    client = client_for(key)
    client.put(f"/api/v1/cases/{case.reference}/triage/what/", WHAT_ANSWERS, format="json")
    client.post(f"/api/v1/cases/{case.reference}/transition/", {"action": "complete_what"}, format="json")

    response = client.put(f"/api/v1/cases/{case.reference}/triage/why/", {"explanation": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "WHY is for team leads and managers."


def test_assigning_and_handing_off(api, case, lead):
    response = api.post(f"/api/v1/cases/{case.reference}/assign/", {"to_owner": lead.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["Say why the case is handed off."]}
    response = api.post(
        f"/api/v1/cases/{case.reference}/assign/",
        {"to_owner": lead.pk, "reason": "Needs a refund"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["owner"]["id"] == lead.pk and response.json()["handoff_count"] == 1


def test_notes_and_the_timeline(api, case):
    created = api.post(f"/api/v1/cases/{case.reference}/notes/", {"text": "Rang the customer"}, format="json")
    notes = api.get(f"/api/v1/cases/{case.reference}/notes/").json()["results"]
    timeline = api.get(f"/api/v1/cases/{case.reference}/timeline/").json()["results"]

    assert created.status_code == 201 and created.json()["text"] == "Rang the customer"
    assert [n["text"] for n in notes] == ["Rang the customer"]
    assert [e["kind"] for e in timeline] == ["case.opened", "case.note.added"]


def _open_many(agent, team, count, start):
    cases = []
    for i in range(count):
        cases.append(
            factories.open_case(actor=agent, team=team, opened_at=start + datetime.timedelta(minutes=i))
        )
    return cases


def test_the_list_pages_with_a_cursor_in_a_stable_order(api, agent, team):
    start = timezone.now() - datetime.timedelta(days=1)
    cases = _open_many(agent, team, 5, start)

    seen, url = [], "/api/v1/cases/?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [c["reference"] for c in page["results"]]
        url = page["next"]

    assert seen == [c.reference for c in reversed(cases)]
    assert "count" not in page


def test_the_list_can_be_ordered_oldest_first(api, agent, team):
    cases = _open_many(agent, team, 3, timezone.now() - datetime.timedelta(hours=1))

    page = api.get("/api/v1/cases/?ordering=opened_at&page_size=2").json()
    rest = api.get(page["next"]).json()

    assert [c["reference"] for c in page["results"] + rest["results"]] == [c.reference for c in cases]


def test_the_list_filters(api, agent, lead, team):
    start = timezone.now() - datetime.timedelta(days=3)
    old, mid, new = _open_many(agent, team, 3, start)
    Case.objects.filter(pk=mid.pk).update(severity="low", channel="email", owner=lead)

    def refs(query):
        response = api.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.json()
        return {c["reference"] for c in response.json()["results"]}

    assert refs("severity=low") == {mid.reference}
    assert refs("channel=email&channel=phone") == {old.reference, mid.reference, new.reference}
    assert refs(f"owner={lead.pk}") == {mid.reference}
    assert refs(f"customer={new.customer_id}") == {new.reference}
    assert refs("status=new&triage_stage=what") == {old.reference, mid.reference, new.reference}
    after = (start + datetime.timedelta(seconds=30)).isoformat()
    assert refs(f"created_after={after.replace('+', '%2B')}") == {mid.reference, new.reference}
    assert refs("status=closed") == set()


def test_a_bad_filter_is_a_400_not_a_500(api, case):
    response = api.get("/api/v1/cases/?created_after=yesterday&status=nope&team=abc")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"created_after", "status", "team"}


def test_an_instant_with_an_impossible_utc_offset_is_a_400(api, case):
    response = api.get("/api/v1/cases/?updated_before=2030-01-01T00:00:00%2B16:40")

    assert response.status_code == 400
    assert response.json()["errors"]["updated_before"] == ["Use a real UTC offset (at most ±14:00)."]


@override_settings(API_THROTTLE_RATE="3/minute")
def test_a_token_over_its_rate_gets_429_with_retry_after(api, case):
    answers = [api.get("/api/v1/cases/").status_code for _ in range(4)]

    response = api.get("/api/v1/cases/")
    assert answers == [200, 200, 200, 429]
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_the_list_costs_the_same_queries_for_2_or_12_cases(api, agent, team, django_assert_max_num_queries):
    start = timezone.now() - datetime.timedelta(hours=1)
    _open_many(agent, team, 2, start)
    with django_assert_max_num_queries(8) as small:
        api.get("/api/v1/cases/")
    _open_many(agent, team, 10, start)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api.get("/api/v1/cases/")

    assert len(response.json()["results"]) == 12


@pytest.mark.parametrize("tag", ['"1"', 'W/"1"', '"7", "1"', "*"])
def test_if_match_accepts_the_current_etag_in_its_usual_forms(api, case, tag):
    response = api.patch(
        f"/api/v1/cases/{case.reference}/", {"severity": "low"}, format="json", HTTP_IF_MATCH=tag
    )

    assert response.status_code == 200


def test_a_stale_if_match_also_stops_a_transition(api, case):
    response = api.post(
        f"/api/v1/cases/{case.reference}/transition/",
        {"action": "respond", "message": "Sorry"},
        format="json",
        HTTP_IF_MATCH='"0"',
    )

    case.refresh_from_db()
    assert response.status_code == 412 and case.status == "new"


def test_a_customer_by_id_is_checked_against_each_callers_own_teams_request_after_request(
    write_token, other_team, agent, new_case_body
):
    # The input's fields are built anew for each request: one caller's teams never answer for the next.
    ours = factories.open_case(actor=agent, team=agent.teams.get()).customer
    theirs = factories.open_case(actor=factories.UserFactory(teams=[other_team]), team=other_team).customer
    _, other_key = api_token_create(name="Their shop", teams=[other_team], can_write=True)
    front_desk, other_desk = client_for(write_token[1]), client_for(other_key)

    answers = []
    for client, customer, team in [
        (front_desk, ours, None),
        (other_desk, ours, other_team),
        (front_desk, theirs, None),
        (other_desk, theirs, other_team),
    ]:
        body = {**new_case_body, "customer": {"id": customer.pk}} | ({"team": team.pk} if team else {})
        response = client.post("/api/v1/cases/", body, format="json")
        answers.append((response.status_code, response.json()))

    assert [code for code, _ in answers] == [201, 400, 400, 201]
    assert answers[0][1]["customer"]["id"] == ours.pk and answers[3][1]["customer"]["id"] == theirs.pk
    assert answers[1][1]["errors"] == {"customer.id": [f'Invalid pk "{ours.pk}" - object does not exist.']}
    assert answers[2][1]["errors"] == {"customer.id": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
