"""The queue as a desk: sort by any column, saved views, bulk work case by case, live refresh,
and who else has a case open."""

import re

import pytest

from cases.models import Case, SavedView
from cases.presence import PRESENCE_TTL
from tests import factories

pytestmark = pytest.mark.django_db


def _refs(page: str) -> list[str]:
    return re.findall(r'<td><a href="/cases/(R-\d+)/">', page)


@pytest.fixture
def three(agent, team):
    names = ["Cara", "Anna", "Bea"]
    return [
        factories.open_case(actor=agent, team=team, customer=factories.CustomerFactory(name=n), severity=s)
        for n, s in zip(names, ["low", "critical", "medium"], strict=True)
    ]


def test_the_queue_sorts_by_any_column_both_ways(client, agent, three):
    client.force_login(agent)
    by_name = [c.reference for c in sorted(three, key=lambda c: c.customer.name)]
    page = client.get("/cases/queue/?sort=customer").content.decode()
    assert _refs(page) == by_name
    assert 'aria-sort="ascending"' in page and 'href="?sort=-customer"' in page
    assert _refs(client.get("/cases/queue/?sort=-customer").content.decode()) == by_name[::-1]
    by_severity = [
        c.reference
        for c in sorted(three, key=lambda c: ["low", "medium", "high", "critical"].index(c.severity))
    ]
    assert _refs(client.get("/cases/queue/?sort=-severity").content.decode()) == by_severity[::-1]
    for column in ("case", "summary", "status", "triage", "owner", "opened", "due"):
        assert client.get(f"/cases/queue/?sort={column}").status_code == 200
    assert client.get("/cases/queue/?sort=nonsense").status_code == 200  # ignored, urgency order kept
    assert 'aria-sort="ascending"' in client.get("/cases/?sort=opened").content.decode()  # My cases too


def test_a_saved_view_keeps_filters_and_sort_for_its_owner_only(client, agent, lead, three):
    client.force_login(agent)
    response = client.post(
        "/cases/queue/views/", {"name": "Oldest unassigned", "status": "new", "sort": "-opened", "evil": "x"}
    )
    view = SavedView.objects.get(user=agent)
    assert view.params == "status=new&sort=-opened"
    assert response.status_code == 302 and response["Location"].endswith("?status=new&sort=-opened")
    assert "Oldest unassigned" in client.get("/cases/queue/").content.decode()
    assert client.post("/cases/queue/views/", {"name": "  "}).status_code == 302
    assert SavedView.objects.count() == 1
    client.force_login(lead)
    assert "Oldest unassigned" not in client.get("/cases/queue/").content.decode()
    client.post(f"/cases/queue/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()  # not the lead's to delete


def test_bulk_transition_checks_each_case_and_one_refusal_stops_none(client, agent, team, three):
    from cases import services

    answered = three[0]
    services.case_transition(case=answered, action="respond", actor=agent, data={"message": "Sorry."})
    client.force_login(agent)
    page = client.post(
        "/cases/queue/bulk/",
        {"what": "respond", "text": "So sorry: I own this now.", "cases": [c.reference for c in three]},
    ).content.decode()
    assert "2 of 3 done." in page
    assert re.search(rf"{answered.reference}.*?Refused.*?not possible from", page, re.S)
    assert Case.objects.filter(pk__in=[c.pk for c in three[1:]], status="responded").count() == 2
    assert client.post("/cases/queue/bulk/", {"what": "respond", "cases": []}).status_code == 400


def test_bulk_assign_goes_through_the_hand_off_rules(client, agent, lead, team, three):
    client.force_login(lead)
    page = client.post(
        "/cases/queue/bulk/", {"what": "assign", "owner": lead.pk, "cases": [three[0].reference, "R-999999"]}
    ).content.decode()
    assert "Say why the case is handed off." in page and "Not a case you can see." in page
    page = client.post(
        "/cases/queue/bulk/",
        {"what": "assign", "owner": lead.pk, "text": "Taking these.", "cases": [three[0].reference]},
    ).content.decode()
    assert "1 of 1 done." in page
    assert Case.objects.get(pk=three[0].pk).owner == lead


def test_the_queue_refreshes_itself_and_the_shortcuts_are_listed(client, agent, three):
    client.force_login(agent)
    page = client.get("/cases/queue/").content.decode()
    assert 'class="live-table" hx-get="/cases/queue/"' in page and 'hx-trigger="every 30s"' in page
    assert 'id="shortcuts"' in page and "<kbd>/</kbd>" in page and "<kbd>c</kbd>" in page
    assert 'src="/static/js/desk.js"' in page


def test_a_colleague_on_the_same_case_is_shown(client, agent, lead, three, time_machine):
    time_machine.move_to("2026-06-01T10:00:00+01:00", tick=False)
    case = three[0]
    client.force_login(lead)
    assert (
        "is viewing"
        not in client.post(f"/cases/{case.reference}/presence/", {"mode": "editing"}).content.decode()
    )
    assert 'hx-post="/cases/' in client.get(f"/cases/{case.reference}/").content.decode()
    client.force_login(agent)
    page = client.post(f"/cases/{case.reference}/presence/", {"mode": "viewing"}).content.decode()
    assert "Lee" in page and "is editing this case" in page
    time_machine.shift(PRESENCE_TTL + 5)
    page = client.post(f"/cases/{case.reference}/presence/", {"mode": "viewing"}).content.decode()
    assert "is editing" not in page  # gone quiet: dropped
    assert client.post("/cases/R-999999/presence/").status_code == 404
