"""Giving remedies within authority, asking for approval over it, and deciding."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from cases.models import CaseEvent
from remedies import services
from remedies.authority import remaining_authority
from remedies.models import ApprovalRequest, AuthorityCap, Budget, Remedy
from tests import factories

pytestmark = pytest.mark.django_db


def give(case, actor, kind, amount, **kwargs):
    # The customer-total warning has its own test; cap tests confirm it up front.
    values = {
        "currency": "GBP",
        "note": "Sorry about that.",
        "plus_one": False,
        "confirmed_customer_total": True,
        **kwargs,
    }
    return services.remedy_give(case=case, actor=actor, kind=kind, amount=amount, **values)


def test_it_gives_a_remedy_within_authority_at_once_and_puts_its_cost_on_the_timeline(
    caps, agent, case, coupon
):
    result = give(case, agent, coupon, "15.50", plus_one=True)

    assert result.approval is None and result.reasons == []
    remedy = Remedy.objects.get()
    assert remedy == result.remedy
    assert (remedy.amount, remedy.currency, remedy.plus_one, remedy.given_by) == (
        Decimal("15.50"),
        "GBP",
        True,
        agent,
    )
    event = CaseEvent.objects.get(kind="remedy.given")
    assert event.actor == agent
    assert event.data["amount"] == "15.50" and event.data["currency"] == "GBP"
    assert event.data["plus_one"] is True and event.data["within_authority"] is True
    assert Budget.objects.get(user=agent).spent == Decimal("15.50")


def test_it_turns_a_remedy_over_the_per_remedy_cap_into_an_approval_for_the_team_lead(
    caps, agent, lead, team, case, refund, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False)
    team.lead = lead
    team.save()

    result = give(case, agent, refund, "80")

    assert result.remedy is None and not Remedy.objects.exists()
    approval = result.approval
    assert approval.status == "pending" and approval.assigned_to == lead
    assert approval.due_at == datetime.datetime(2026, 11, 25, 10, 15, tzinfo=datetime.UTC)
    assert "80.00 GBP is over the 50.00 GBP limit per remedy" in approval.reason
    event = CaseEvent.objects.get(kind="approval.requested")
    assert event.data["approval"] == approval.pk and event.data["amount"] == "80.00"
    assert not Budget.objects.filter(spent__gt=0).exists()


@override_settings(APPROVAL_MINUTES=5)
def test_the_approval_clock_follows_the_setting(caps, agent, case, refund, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False)
    approval = give(case, agent, refund, "80").approval
    assert approval.due_at == datetime.datetime(2026, 11, 25, 10, 5, tzinfo=datetime.UTC)


def test_it_enforces_the_cap_per_case(caps, agent, case, coupon):
    give(case, agent, coupon, "50")
    give(case, agent, coupon, "40")

    result = give(case, agent, coupon, "20")

    assert result.approval is not None
    assert "over the 10.00 GBP left within the limit for this case" in result.reasons[0]
    assert Remedy.objects.count() == 2


def test_it_enforces_the_daily_budget_across_cases(caps, agent, team, coupon, time_machine):
    # Frozen mid-day: seven gives straddling midnight would fall in two days' budgets.
    time_machine.move_to(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False)
    cases = [factories.open_case(actor=agent, team=team) for _ in range(7)]
    results = [give(c, agent, coupon, "50") for c in cases]

    assert [r.remedy is not None for r in results] == [True] * 6 + [False]
    assert "today's budget" in results[-1].reasons[0]


def test_the_daily_budget_starts_again_the_next_day(caps, agent, team, coupon, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False)
    for _ in range(6):
        give(factories.open_case(actor=agent, team=team), agent, coupon, "50")
    time_machine.move_to(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC), tick=False)

    result = give(factories.open_case(actor=agent, team=team), agent, coupon, "50")

    assert result.remedy is not None


def test_it_enforces_the_monthly_budget(caps, agent, case, coupon, time_machine):
    # Mid-month, so the month's spending sits on an earlier day than today's budget row.
    time_machine.move_to(datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC), tick=False)
    Budget.objects.create(user=agent, day=datetime.date(2026, 11, 1), currency="GBP", spent=Decimal("1990"))

    result = give(case, agent, coupon, "10.01")

    assert result.approval is not None and "this month's budget" in result.reasons[0]
    assert give(case, agent, coupon, "10.00").remedy is not None


def test_a_per_user_override_wins_over_the_role_cap(caps, agent, case, refund):
    AuthorityCap.objects.create(user=agent, kind=refund, max_per_remedy=Decimal("90"))

    assert give(case, agent, refund, "90").remedy is not None
    assert remaining_authority(agent, case, refund).per_remedy == Decimal("90")


def test_without_any_cap_only_free_remedies_go_through(agent, case, coupon, apology):
    assert give(case, agent, apology, "0").remedy is not None
    result = give(case, agent, coupon, "1")
    assert result.approval is not None and "no authority" in result.reasons[0]


def test_a_manager_has_no_limit(caps, manager, case, refund):
    assert give(case, manager, refund, "5000").remedy is not None
    assert remaining_authority(manager, case).unlimited


def test_a_remedy_in_another_currency_goes_to_approval(caps, agent, case, coupon):
    result = give(case, agent, coupon, "5", currency="eur")
    assert result.approval.currency == "EUR"
    assert "limits are in GBP" in result.reasons[0]


def test_remaining_authority_shows_what_is_left(caps, agent, case, coupon, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False)
    give(case, agent, coupon, "30.25")
    authority = remaining_authority(agent, case)
    assert authority.per_remedy == Decimal("50.00")
    assert authority.case_left == Decimal("69.75")
    assert authority.day_left == Decimal("269.75")
    assert authority.most_now == Decimal("50.00")


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        ("-1", "GBP", "amount"),
        ("abc", "GBP", "amount"),
        ("1.005", "GBP", "amount"),
        ("NaN", "GBP", "amount"),
        ("10", "XYZ", "currency"),
        ("10", "", "currency"),
    ],
)
def test_bad_money_is_a_field_error_and_changes_nothing(caps, agent, case, coupon, amount, currency, field):
    with pytest.raises(ValidationError) as exc:
        give(case, agent, coupon, amount, currency=currency)
    assert field in exc.value.message_dict
    assert not Remedy.objects.exists() and not ApprovalRequest.objects.exists()


def test_money_stays_exact_decimal(caps, agent, case, coupon):
    for amount in ("0.10", "0.20", "0.10"):
        give(case, agent, coupon, amount)
    assert Budget.objects.get(user=agent).spent == Decimal("0.40")
    assert remaining_authority(agent, case).case_left == Decimal("99.60")


def test_a_free_remedy_must_not_carry_an_amount(caps, agent, case, apology):
    with pytest.raises(ValidationError) as exc:
        give(case, agent, apology, "5")
    assert "costs nothing" in exc.value.message_dict["amount"][0]


def test_another_teams_agent_cannot_give_on_the_case(caps, other_team, case, coupon):
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    with pytest.raises(PermissionDenied):
        give(case, stranger, coupon, "5")
    assert not Remedy.objects.exists()


@override_settings(CUSTOMER_REMEDY_WARNING=Decimal("100"))
def test_it_asks_for_confirmation_before_taking_the_customer_past_the_warning_total(
    caps, agent, lead, team, coupon
):
    customer = factories.CustomerFactory()
    earlier = factories.open_case(actor=agent, team=team, customer=customer)
    give(earlier, lead, coupon, "90")
    case = factories.open_case(actor=agent, team=team, customer=customer)

    with pytest.raises(ValidationError) as exc:
        give(case, agent, coupon, "20", confirmed_customer_total=False)
    assert "received 90.00 GBP in the last 12 months" in exc.value.message_dict["confirmed_customer_total"][0]
    assert Remedy.objects.count() == 1

    assert give(case, agent, coupon, "20", confirmed_customer_total=True).remedy is not None


def test_approving_gives_the_remedy_and_records_both_events(caps, agent, lead, team, case, refund):
    team.lead = lead
    team.save()
    approval = give(case, agent, refund, "80", plus_one=True).approval

    decided = services.approval_decide(
        approval=approval, actor=lead, approve=True, reason="Fair: late twice."
    )

    assert decided.status == "approved" and decided.decided_by == lead and decided.decided_at
    remedy = Remedy.objects.get()
    assert remedy.approval == approval and remedy.given_by == agent and remedy.amount == Decimal("80.00")
    kinds = list(CaseEvent.objects.filter(kind__startswith=("approval")).values_list("kind", flat=True))
    assert kinds == ["approval.requested", "approval.decided"]
    assert CaseEvent.objects.get(kind="approval.decided").data["reason"] == "Fair: late twice."
    assert CaseEvent.objects.get(kind="remedy.given").data["approved_by"] == lead.pk
    # Given on the lead's authority: the agent's own budget is untouched.
    assert not Budget.objects.filter(user=agent, spent__gt=0).exists()


def test_denying_gives_nothing_and_needs_a_reason(caps, agent, lead, case, refund):
    approval = give(case, agent, refund, "80").approval
    with pytest.raises(ValidationError):
        services.approval_decide(approval=approval, actor=lead, approve=False, reason=" ")

    services.approval_decide(approval=approval, actor=lead, approve=False, reason="Already refunded.")

    approval.refresh_from_db()
    assert approval.status == "denied" and approval.decision_reason == "Already refunded."
    assert not Remedy.objects.exists()


def test_an_approval_is_decided_only_once(caps, agent, lead, manager, case, refund):
    approval = give(case, agent, refund, "80").approval
    services.approval_decide(approval=approval, actor=lead, approve=False, reason="No.")

    with pytest.raises(ValidationError, match="already denied"):
        services.approval_decide(approval=approval, actor=manager, approve=True, reason="Yes.")
    assert not Remedy.objects.exists()


def test_agents_cannot_decide_and_nobody_decides_their_own_request(caps, agent, lead, team, case, refund):
    sam = factories.UserFactory(username="sam", teams=[team])
    approval = give(case, agent, refund, "80").approval
    with pytest.raises(PermissionDenied):
        services.approval_decide(approval=approval, actor=sam, approve=True, reason="ok")

    own = give(case, lead, refund, "800").approval
    with pytest.raises(PermissionDenied, match="your own request"):
        services.approval_decide(approval=own, actor=lead, approve=True, reason="ok")


def test_a_lead_cannot_approve_over_their_own_limit_but_a_manager_can(
    caps, agent, lead, manager, team, case, refund
):
    team.lead = lead
    team.save()
    approval = give(case, agent, refund, "700").approval
    assert approval.assigned_to is None  # over the lead's own cap: routed to managers

    with pytest.raises(ValidationError, match="a manager must decide"):
        services.approval_decide(approval=approval, actor=lead, approve=True, reason="ok")
    services.approval_decide(approval=approval, actor=manager, approve=True, reason="Loyal customer.")
    assert Remedy.objects.get().amount == Decimal("700.00")


def test_a_lead_of_another_team_cannot_decide(caps, agent, other_team, case, refund):
    nia = factories.UserFactory(username="nia", role="team_lead", teams=[other_team])
    approval = give(case, agent, refund, "80").approval
    with pytest.raises(PermissionDenied):
        services.approval_decide(approval=approval, actor=nia, approve=True, reason="ok")


def test_a_float_amount_is_refused_rather_than_rounded(caps, agent, case, coupon):
    with pytest.raises(ValidationError, match="never a float"):
        give(case, agent, coupon, 0.1)
    assert not Remedy.objects.exists()


def test_the_system_cannot_give_or_decide(caps, agent, case, coupon, refund):
    with pytest.raises(PermissionDenied):
        give(case, None, coupon, "1")
    approval = give(case, agent, refund, "80").approval
    with pytest.raises(PermissionDenied):
        services.approval_decide(approval=approval, actor=None, approve=True, reason="ok")


def test_an_integrations_own_user_can_neither_give_nor_decide(team, case, coupon, caps):
    from integrations.tokens import api_token_create

    robot = api_token_create(name="Robot", teams=[team], can_write=True)[0].user

    with pytest.raises(PermissionDenied):
        services.remedy_give(case=case, actor=robot, kind=coupon, amount="5.00", currency="GBP")
    assert not Remedy.objects.exists()


@pytest.mark.parametrize("amount", ["1e3", "NaN", "Infinity", "1E+2"])
def test_clean_money_refuses_exponent_and_non_finite_notation(amount):
    with pytest.raises(ValidationError) as refused:
        services.clean_money(amount=amount, currency="GBP")

    assert "amount" in refused.value.message_dict
