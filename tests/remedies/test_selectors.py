"""The measures every case records: cost, +1, first-touch fix, response and resolution times."""

import datetime
from decimal import Decimal

import pytest

from cases import services as case_services
from cases.models import Case
from remedies import selectors, services
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


def give(case, actor, kind, amount, **kwargs):
    return services.remedy_give(
        case=case, actor=actor, kind=kind, amount=amount, currency=kwargs.pop("currency", "GBP"),
        confirmed_customer_total=True, **kwargs,
    )  # fmt: skip


def respond_and_resolve(case, actor, time_machine, *, respond_after, resolve_after):
    time_machine.move_to(T0 + respond_after, tick=False)
    case_services.case_transition(case=case, action="respond", actor=actor, data={"message": "So sorry."})
    time_machine.move_to(T0 + resolve_after, tick=False)
    case_services.case_transition(case=case, action="resolve", actor=actor, data={"resolution": "Refunded."})


def test_a_case_fixed_by_its_first_owner_alone_is_a_first_touch_fix(caps, agent, team, coupon, time_machine):
    time_machine.move_to(T0, tick=False)
    case = factories.open_case(actor=agent, team=team, opened_at=T0)
    give(case, agent, coupon, "10.10", plus_one=True)
    give(case, agent, coupon, "5.05")
    give(case, agent, coupon, "2", currency="EUR")  # over the cap's currency: pending, not counted

    respond_and_resolve(
        case,
        agent,
        time_machine,
        respond_after=datetime.timedelta(seconds=45),
        resolve_after=datetime.timedelta(minutes=20),
    )
    case.refresh_from_db()
    measures = selectors.case_measures(case)

    assert measures.remedy_totals == [("GBP", Decimal("15.15"))]
    assert measures.plus_one is True
    assert measures.time_to_first_response == datetime.timedelta(seconds=45)
    assert measures.time_to_resolution == datetime.timedelta(minutes=20)
    # The pending EUR request was an approval: not a first-touch fix after all.
    assert measures.approvals == 1 and measures.first_touch is False


def test_first_touch_needs_no_handoff_and_no_approval(caps, agent, lead, team, coupon, time_machine):
    time_machine.move_to(T0, tick=False)
    alone = factories.open_case(actor=agent, team=team, opened_at=T0)
    give(alone, agent, coupon, "10")
    respond_and_resolve(alone, agent, time_machine, respond_after=datetime.timedelta(minutes=1),
                        resolve_after=datetime.timedelta(minutes=5))  # fmt: skip
    passed_on = factories.open_case(actor=agent, team=team, opened_at=T0)
    case_services.case_assign(case=passed_on, to_owner=lead, actor=agent, reason="Asked for a manager.")
    respond_and_resolve(passed_on, lead, time_machine, respond_after=datetime.timedelta(minutes=6),
                        resolve_after=datetime.timedelta(minutes=9))  # fmt: skip
    open_case = factories.open_case(actor=agent, team=team)

    for case in (alone, passed_on, open_case):
        case.refresh_from_db()
    assert selectors.case_measures(alone).first_touch is True
    handed = selectors.case_measures(passed_on)
    assert handed.first_touch is False and handed.handoff_reasons == ["Asked for a manager."]
    assert selectors.case_measures(open_case).first_touch is None


def test_the_customer_history_covers_twelve_months_across_cases(caps, agent, team, coupon, time_machine):
    customer = factories.CustomerFactory()
    time_machine.move_to(T0 - datetime.timedelta(days=400), tick=False)
    old = factories.open_case(actor=agent, team=team, customer=customer)
    give(old, agent, coupon, "40")
    time_machine.move_to(T0 - datetime.timedelta(days=30), tick=False)
    recent = factories.open_case(actor=agent, team=team, customer=customer)
    give(recent, agent, coupon, "25")
    time_machine.move_to(T0, tick=False)
    case = factories.open_case(actor=agent, team=team, customer=customer)

    history = selectors.customer_remedies(case)

    assert [r.case for r in history] == [recent]
    assert selectors.totals_by_currency(history) == [("GBP", Decimal("25.00"))]


def test_the_measures_come_annotated_for_many_cases_in_one_query(
    caps, agent, lead, team, coupon, refund, time_machine, django_assert_num_queries
):
    time_machine.move_to(T0, tick=False)
    alone = factories.open_case(actor=agent, team=team, opened_at=T0)
    give(alone, agent, coupon, "10.50", plus_one=True)
    give(alone, agent, coupon, "4.50")
    respond_and_resolve(alone, agent, time_machine, respond_after=datetime.timedelta(minutes=1),
                        resolve_after=datetime.timedelta(minutes=5))  # fmt: skip
    asked = factories.open_case(actor=agent, team=team, opened_at=T0)
    give(asked, agent, refund, "80")
    respond_and_resolve(asked, agent, time_machine, respond_after=datetime.timedelta(minutes=2),
                        resolve_after=datetime.timedelta(minutes=7))  # fmt: skip
    untouched = factories.open_case(actor=agent, team=team, opened_at=T0)

    with django_assert_num_queries(1):
        rows = {c.pk: c for c in selectors.with_measures(Case.objects.all())}

    assert (rows[alone.pk].remedy_total, rows[alone.pk].plus_one, rows[alone.pk].first_touch) == (
        Decimal("15.00"), True, True
    )  # fmt: skip
    assert rows[alone.pk].time_to_resolution == datetime.timedelta(minutes=5)
    assert (rows[asked.pk].remedy_total, rows[asked.pk].first_touch) == (Decimal("0.00"), False)
    assert rows[untouched.pk].first_touch is None and rows[untouched.pk].time_to_first_response is None
    # The annotations agree with the per-case measures shown on the case page
    for case in Case.objects.all():
        assert selectors.case_measures(case).first_touch == rows[case.pk].first_touch
