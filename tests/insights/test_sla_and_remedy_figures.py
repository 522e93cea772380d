"""The dashboard's SLA and remedy figures on a small hand-made data set, counted by hand.

Everything happens on Sunday 8 March 2026, when the office calendar is closed: only the live
channels' 24/7 first-response clocks (1 minute) can come due, which keeps the counts exact.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case
from cases.workflow import Action
from insights.selectors import pending
from insights.selectors.scope import Scope
from remedies.models import ApprovalRequest, Remedy, RemedyKind
from sla.escalation import sweep
from tests import factories

LONDON = ZoneInfo("Europe/London")
SUNDAY = datetime.datetime(2026, 3, 8, 9, 0, tzinfo=LONDON)
SEC = datetime.timedelta(seconds=1)
MIN = datetime.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


def respond(case, agent):
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry, mine."})


@pytest.fixture
def data(time_machine, agent, lead, team, other_team):
    time_machine.move_to(SUNDAY, tick=False)
    met, late, missed = (factories.open_case(actor=agent, team=team, channel="phone") for _ in range(3))
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    elsewhere = factories.open_case(actor=stranger, team=other_team, channel="phone")  # not the lead's
    time_machine.move_to(SUNDAY + 30 * SEC, tick=False)
    respond(met, agent)  # within the minute: met
    time_machine.move_to(SUNDAY + 5 * MIN, tick=False)
    respond(late, agent)  # four minutes late: stopped late, breached
    time_machine.move_to(SUNDAY + 10 * MIN, tick=False)
    sweep()  # the missed one breaches, and so does the other team's
    time_machine.move_to(SUNDAY + 59 * MIN + 30 * SEC, tick=False)
    soon = factories.open_case(actor=agent, team=team, channel="phone")  # due 10:00:30
    time_machine.move_to(SUNDAY + 60 * MIN, tick=False)

    coupon = RemedyKind.objects.get(code="coupon")
    at = SUNDAY + 60 * MIN
    Remedy.objects.create(
        case=met,
        kind=coupon,
        amount=Decimal("10.00"),
        currency="GBP",
        plus_one=True,
        given_by=agent,
        given_at=at,
    )
    Remedy.objects.create(
        case=met, kind=coupon, amount=Decimal("5.50"), currency="GBP", given_by=agent, given_at=at
    )
    Remedy.objects.create(
        case=late, kind=coupon, amount=Decimal("20.00"), currency="EUR", given_by=agent, given_at=at
    )
    Remedy.objects.create(
        case=elsewhere, kind=coupon, amount=Decimal("99.00"), currency="GBP", given_by=stranger, given_at=at
    )
    for case, status in ((met, "pending"), (late, "approved"), (elsewhere, "pending")):
        decided = (
            {"decided_by": lead, "decided_at": at, "decision_reason": "ok"} if status != "pending" else {}
        )
        ApprovalRequest.objects.create(
            case=case,
            requested_by=agent,
            kind=coupon,
            amount=Decimal("80"),
            currency="GBP",
            reason="over the cap",
            status=status,
            requested_at=at,
            due_at=at + 15 * MIN,
            **decided,
        )
    return {"met": met, "late": late, "missed": missed, "soon": soon}


def scope(user):
    return Scope(user=user, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 8))


def test_first_response_compliance_counts_met_against_finished_or_breached(data, lead):
    rows = {row["kind"]: row for row in pending.sla_compliance(scope(lead))}
    first = rows["first_response"]
    # met in time; stopped late; breached and still running. The one opened at 09:59 is undecided.
    assert (first["finished"], first["met"], first["rate"]) == (3, 1, 33.3)


def test_breaches_today_and_clocks_at_risk(data, lead, manager):
    assert pending.breaches_today(scope(lead)) == 2  # late and missed; the other team's is not the lead's
    assert pending.breaches_today(scope(manager)) == 3
    assert pending.clocks_at_risk(scope(lead)) == 1  # the case opened at 09:59:30, due 10:00:30


def test_approvals_waiting_and_remedy_spend_per_currency(data, lead):
    assert pending.approvals_waiting(scope(lead)) == 1
    spend = {row["currency"]: row for row in pending.remedy_spend(scope(lead))}
    gbp, eur = spend["GBP"], spend["EUR"]
    assert (gbp["total"], gbp["remedies"], gbp["cases"], gbp["per_case"]) == (
        Decimal("15.50"),
        2,
        1,
        Decimal("15.50"),
    )
    assert gbp["plus_one_share"] == 50.0
    assert (eur["total"], eur["cases"], eur["plus_one_share"]) == (Decimal("20.00"), 1, 0.0)


def test_each_figure_drills_down_to_its_cases(data, client, lead):
    client.force_login(lead)
    expectations = {
        "breaches_today": {data["late"].reference, data["missed"].reference},
        "at_risk": {data["soon"].reference},
        "approvals": {data["met"].reference},
        "remedies": {data["met"].reference, data["late"].reference},
    }
    for figure, references in expectations.items():
        page = client.get("/insights/cases/", {"figure": figure, "start": "2026-03-01", "end": "2026-03-08"})
        body = page.content.decode()
        shown = {ref for ref in (c.reference for c in Case.objects.all()) if ref in body}
        assert shown == references, figure
