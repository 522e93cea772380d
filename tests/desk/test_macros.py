"""A macro's steps each go through their own service and authority check: all or nothing, except
that a remedy over the agent's authority goes for approval while the rest applies."""

from decimal import Decimal

import pytest

from cases.models import Case, CaseEvent
from desk.macros import MacroRefused, macro_apply
from desk.models import Macro
from messaging.models import CustomerMessage
from remedies.models import ApprovalRequest, Remedy
from sla.models import Clock
from sla.rules import ClockKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_sends_the_apology_gives_the_coupon_and_makes_the_promise(agent, mailed, late_box):
    result = macro_apply(case=mailed, actor=agent, macro=late_box)

    assert CustomerMessage.objects.get().kind == "apology"
    assert Case.objects.get().status == "responded"  # the apology is the first response
    assert Remedy.objects.get().amount == Decimal("10.00")
    promise = Clock.objects.get(case=mailed, kind=ClockKind.PROMISE, stopped_at__isnull=True)
    assert promise.label == "call you back today"
    assert CaseEvent.objects.filter(kind="case.note.added").count() == 1
    assert result.awaiting_approval == [] and len(result.done) == 4


def test_a_remedy_over_the_agents_authority_goes_for_approval_and_the_rest_applies(
    agent, lead, team, mailed, late_box
):
    team.lead = lead
    team.save(update_fields=["lead"])
    late_box.remedy_amount = Decimal("100.00")  # agents may give 50 GBP at once
    late_box.save()

    result = macro_apply(case=mailed, actor=agent, macro=late_box)

    assert not Remedy.objects.exists()
    assert ApprovalRequest.objects.get().status == "pending"
    assert "Lee" in result.awaiting_approval[0] or "lee" in result.awaiting_approval[0].lower()
    assert CustomerMessage.objects.count() == 1 and Case.objects.get().status == "responded"


def test_a_refused_step_refuses_the_whole_macro_with_its_reason(agent, team, late_box):
    unreachable = factories.CustomerFactory(name="No Address", email="", phone="")
    case = factories.open_case(actor=agent, team=team, customer=unreachable)

    with pytest.raises(MacroRefused) as refused:
        macro_apply(case=case, actor=agent, macro=late_box)

    assert "Apology and ownership" in refused.value.step
    assert "no e-mail address or phone number" in " ".join(refused.value.problems)
    assert not Remedy.objects.exists() and not CustomerMessage.objects.exists()
    assert not CaseEvent.objects.filter(kind="case.note.added").exists()


def test_a_later_refused_step_undoes_the_earlier_ones(agent, mailed, late_box, settings):
    settings.CUSTOMER_REMEDY_WARNING = Decimal("5")  # past the 12-month total: confirm it by hand

    with pytest.raises(MacroRefused) as refused:
        macro_apply(case=mailed, actor=agent, macro=late_box)

    assert "Coupon" in refused.value.step
    assert not CustomerMessage.objects.exists() and Case.objects.get().status == "new"


def test_someone_outside_the_team_cannot_apply_it(other_team, mailed, late_box):
    outsider = factories.UserFactory(username="oz", role="agent", teams=[other_team])

    with pytest.raises(MacroRefused):
        macro_apply(case=mailed, actor=outsider, macro=late_box)
    assert not CustomerMessage.objects.exists()


def test_an_inactive_macro_is_refused(agent, mailed, late_box):
    Macro.objects.filter(pk=late_box.pk).update(active=False)
    late_box.refresh_from_db()

    with pytest.raises(MacroRefused):
        macro_apply(case=mailed, actor=agent, macro=late_box)
