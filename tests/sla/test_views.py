"""Clocks in the browser: the case page, promises, the at-risk view, the bell, policies."""

from datetime import timedelta

import pytest

from cases import services
from sla.escalation import sweep
from sla.models import BusinessCalendar, Clock, Notification, Policy, TeamCalendar
from tests import factories

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_case(clock_at, agent, team):
    return factories.open_case(actor=agent, team=team, channel="chat", severity="low")


def test_the_case_page_shows_each_clock_with_its_countdown(client, agent, chat_case):
    client.force_login(agent)
    page = client.get(f"/cases/{chat_case.reference}/").content.decode()
    first = Clock.objects.get(case=chat_case, kind="first_response")
    assert "First response" in page
    assert (
        f'data-due="{first.due_at.astimezone().isoformat()}' in page
        or 'data-due="2026-06-01T10:01:00+01:00"' in page
    )
    assert "1 min left" in page
    assert 'src="/static/js/sla.js"' in page


def test_a_breached_clock_is_red_and_the_timeline_says_so(client, agent, chat_case, clock_at):
    clock_at(MONDAY_10 + timedelta(minutes=2))
    sweep()
    client.force_login(agent)
    page = client.get(f"/cases/{chat_case.reference}/").content.decode()
    assert "clock c-bad" in page
    assert "1 min overdue" in page
    assert "First response breached (was due 01 Jun 10:01)" in page
    assert "warned: First response due at 01 Jun 10:01" in page


def test_another_teams_clocks_are_not_found(client, other_team, chat_case):
    outsider = factories.UserFactory(username="olga", teams=[other_team])
    client.force_login(outsider)
    assert client.get(f"/sla/cases/{chat_case.reference}/clocks/").status_code == 404
    response = client.post(
        f"/sla/cases/{chat_case.reference}/promise/", {"what": "Call back", "due_at": "2026-06-01T12:00"}
    )
    assert response.status_code == 404
    assert not Clock.objects.filter(kind="promise").exists()


def test_a_promise_is_saved_and_shown_to_everyone_who_opens_the_case(client, agent, lead, chat_case):
    client.force_login(agent)
    response = client.post(
        f"/sla/cases/{chat_case.reference}/promise/",
        {"what": "Call back with the refund", "due_at": "2026-06-01T12:00"},
    )
    assert response.status_code == 302
    client.force_login(lead)
    page = client.get(f"/cases/{chat_case.reference}/").content.decode()
    assert "Promised: Call back with the refund" in page
    assert "2 h 0 min left" in page or "2 h left" in page


def test_a_promise_in_the_past_is_refused_with_the_text_kept(client, agent, chat_case):
    client.force_login(agent)
    response = client.post(
        f"/sla/cases/{chat_case.reference}/promise/",
        {"what": "Call back with the refund", "due_at": "2026-06-01T09:00"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The promised time must be in the future." in page
    assert 'value="Call back with the refund"' in page
    assert not Clock.objects.filter(kind="promise").exists()


def test_with_htmx_a_bad_promise_re_renders_only_the_clocks_panel(client, agent, chat_case):
    client.force_login(agent)
    response = client.post(
        f"/sla/cases/{chat_case.reference}/promise/", {"what": "", "due_at": "soon"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith("<section")
    assert "This field is required." in page and "Enter a valid date/time." in page


def test_recording_a_customer_update_restarts_the_update_clock(client, agent, chat_case, clock_at):
    services.case_transition(case=chat_case, action="respond", actor=agent, data={"message": "Sorry"})
    clock_at(MONDAY_10 + timedelta(hours=1))
    client.force_login(agent)
    client.post(f"/sla/cases/{chat_case.reference}/updated/", {"note": "Courier booked."})
    clock = Clock.objects.get(case=chat_case, kind="periodic_update", stopped_at__isnull=True)
    assert clock.started_at == MONDAY_10 + timedelta(hours=1)
    assert chat_case.events.filter(kind="sla.customer.updated", data__note="Courier booked.").exists()


def test_the_at_risk_view_lists_clocks_due_within_the_hour_and_breaches_today(
    client, lead, agent, team, chat_case, clock_at
):
    email = factories.open_case(actor=agent, team=team, channel="email", severity="critical")  # due in 60 min
    clock_at(MONDAY_10 + timedelta(minutes=5))
    sweep()
    client.force_login(lead)
    page = client.get("/sla/at-risk/").content.decode()
    risk, breaches = page.split("Breached today")
    assert email.reference in risk and chat_case.reference not in risk
    assert chat_case.reference in breaches


def test_agents_cannot_open_the_at_risk_view(client, agent):
    client.force_login(agent)
    assert client.get("/sla/at-risk/").status_code == 403


def test_the_queue_puts_the_soonest_deadline_first(client, agent, team, clock_at):
    slow = factories.open_case(actor=agent, team=team, channel="email", summary="Slow one")
    fast = factories.open_case(actor=agent, team=team, channel="chat", summary="Fast one")
    client.force_login(agent)
    page = client.get("/cases/queue/").content.decode()
    assert page.index(fast.reference) < page.index(slow.reference)
    assert "1 min left" in page


def test_the_bell_counts_unread_notifications_and_the_list_marks_them_read(
    client, agent, chat_case, clock_at
):
    clock_at(MONDAY_10 + timedelta(minutes=2))
    sweep()
    unread = Notification.objects.filter(recipient=agent, channel="in_app").count()
    assert unread >= 2
    client.force_login(agent)
    assert f'<span class="bell-count">{unread}</span>' in client.get("/cases/").content.decode()
    page = client.get("/sla/notifications/").content.decode()
    assert f"{chat_case.reference} · {chat_case.customer.name}: First response is overdue" in page
    client.post("/sla/notifications/")
    assert "bell-count" not in client.get("/cases/").content.decode()


def test_a_manager_edits_a_policy_and_open_clocks_follow(client, manager, chat_case):
    policy = Policy.objects.get(name="Live: chat")
    target = policy.targets.get(kind="first_response")
    client.force_login(manager)
    form = client.get(f"/sla/policies/{policy.pk}/").content.decode()
    assert "L2 breach +0m notify_lead" in form
    data = {"name": policy.name, "severity": "", "channel": "chat", "active": "on", "description": ""}
    for t in policy.targets.all():
        p = f"t{t.pk}"
        data |= {f"{p}-minutes": t.minutes, f"{p}-warnings": "50%", f"{p}-steps": ""}
        if t.business_hours:
            data[f"{p}-business_hours"] = "on"
    data[f"t{target.pk}-minutes"] = 5
    data[f"t{target.pk}-steps"] = "L1 breach +0m notify_manager"
    response = client.post(f"/sla/policies/{policy.pk}/", data)
    assert response.status_code == 302
    clock = Clock.objects.get(case=chat_case, kind="first_response")
    assert clock.due_at == MONDAY_10 + timedelta(minutes=5)
    assert clock.steps == [{"level": 1, "base": "breach", "offset": 0, "action": "notify_manager"}]


def test_a_policy_with_a_bad_chain_is_refused_with_a_readable_error(client, manager, policies):
    policy = Policy.objects.get(name="Standard")
    target = policy.targets.get(kind="first_response")
    client.force_login(manager)
    data = {"name": policy.name, "severity": "", "channel": "", "active": "on", "description": ""}
    for t in policy.targets.all():
        data |= {f"t{t.pk}-minutes": t.minutes, f"t{t.pk}-warnings": "", f"t{t.pk}-steps": ""}
    data[f"t{target.pk}-steps"] = "L1 breach +0m phone_the_ceo"
    data[f"t{target.pk}-warnings"] = "half"
    response = client.post(f"/sla/policies/{policy.pk}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "&#x27;phone_the_ceo&#x27; is not an action" in page
    assert "&#x27;half&#x27; is not a warning" in page
    assert target.steps.count() == 3


def test_agents_cannot_edit_policies(client, agent, policies):
    client.force_login(agent)
    assert client.get("/sla/policies/").status_code == 403


def test_a_manager_puts_a_team_on_a_24_7_calendar_and_its_clocks_move(client, manager, agent, team, clock_at):
    case = factories.open_case(actor=agent, team=team, channel="email")
    clock_at(MONDAY_10 + timedelta(minutes=1))
    client.force_login(manager)
    response = client.post(
        "/sla/calendars/new/",
        {"name": "Round the clock", "tz": "Europe/London", "always_open": "on", "teams": [team.pk]},
    )
    assert response.status_code == 302
    assert TeamCalendar.objects.get(team=team).calendar.name == "Round the clock"
    resolution = Clock.objects.get(case=case, kind="resolution")
    assert resolution.due_at == MONDAY_10 + timedelta(minutes=3 * 480)


def test_a_calendar_with_impossible_hours_is_refused(client, manager, policies):
    client.force_login(manager)
    response = client.post(
        "/sla/calendars/new/",
        {"name": "Odd", "tz": "Mars/Base", "hours_text": "Funday 9-5", "holiday_country": "XX"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a time zone" in page and "should look like" in page
    assert "No public holidays are known for &#x27;XX&#x27;" in page
    assert not BusinessCalendar.objects.filter(name="Odd").exists()


def test_editing_a_calendars_hours_moves_open_clocks_from_their_start(client, manager, agent, team, clock_at):
    case = factories.open_case(actor=agent, team=team, channel="email")
    office = BusinessCalendar.objects.get(name="Office hours (London)")
    client.force_login(manager)
    response = client.post(
        f"/sla/calendars/{office.pk}/",
        {
            "name": office.name,
            "tz": "Europe/London",
            "hours_text": "Mon-Fri 09:00-11:00",
            "holiday_country": "GB",
        },
    )
    assert response.status_code == 302
    # Four business hours from Monday 10:00 with 9-to-11 days: 1 h Monday, 2 h Tuesday, 1 h Wednesday.
    assert Clock.objects.get(case=case, kind="first_response").due_at == MONDAY_10 + timedelta(days=2)


def test_the_at_risk_view_and_the_queue_cost_the_same_queries_for_more_cases(
    client, lead, agent, team, clock_at, django_assert_max_num_queries
):
    def load():
        client.get("/sla/at-risk/")
        client.get("/cases/queue/")

    factories.open_case(actor=agent, team=team, channel="email", severity="critical")
    client.force_login(lead)
    load()
    with django_assert_max_num_queries(100) as few:
        load()
    for _ in range(8):
        factories.open_case(actor=agent, team=team, channel="email", severity="critical")
    with django_assert_max_num_queries(len(few.captured_queries)):
        load()


def test_a_manager_creates_a_policy_that_new_matching_cases_follow(client, manager, agent, team, clock_at):
    standard = Policy.objects.get(name="Standard")
    client.force_login(manager)
    listing = client.get("/sla/policies/").content.decode()
    assert "UK FCA DISP 1.6" in listing and "Office hours (London)" in listing
    assert client.get("/sla/policies/new/").status_code == 200
    response = client.post(
        "/sla/policies/new/", {"name": "Review sites", "channel": "review_site", "copy_from": standard.pk}
    )
    created = Policy.objects.get(name="Review sites")
    assert response.status_code == 302 and response.url == f"/sla/policies/{created.pk}/"
    assert created.targets.count() == standard.targets.count()
    case = factories.open_case(actor=agent, team=team, channel="review_site")
    assert Clock.objects.get(case=case, kind="first_response").policy == created


def test_a_second_policy_with_the_same_name_is_refused(client, manager, policies):
    client.force_login(manager)
    response = client.post("/sla/policies/new/", {"name": "standard", "copy_from": policies.pk})
    assert response.status_code == 400
    assert "A policy called &#x27;standard&#x27; already exists." in response.content.decode()
    assert Policy.objects.filter(name__iexact="standard").count() == 1
