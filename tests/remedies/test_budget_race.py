"""Parallel remedies by one person must never spend past the daily budget."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from remedies import services
from remedies.models import ApprovalRequest, Budget, Remedy
from tests import factories

from .conftest import kind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_parallel_remedies_never_exceed_the_daily_cap(caps, agent, team):
    # Given 12 cases and a daily budget of 300 (six remedies of 50)
    coupon = kind("coupon")
    cases = [factories.open_case(actor=agent, team=team) for _ in range(12)]
    start = threading.Barrier(len(cases))
    results, errors = [], []

    def give(case):
        try:
            start.wait()
            result = services.remedy_give(
                case=case, actor=agent, kind=coupon, amount="50", currency="GBP",
                note="Sorry", plus_one=False, confirmed_customer_total=True,
            )  # fmt: skip
            results.append(result)
        except Exception as exc:  # noqa: BLE001 - the test reports every failure below
            errors.append(exc)
        finally:
            connections.close_all()

    # When all of them give a 50 coupon at the same moment
    threads = [threading.Thread(target=give, args=(c,)) for c in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly six went through and the rest wait for an approval: nothing is lost
    assert errors == []
    assert Remedy.objects.count() == 6
    assert ApprovalRequest.objects.count() == 6
    assert Budget.objects.get(user=agent).spent == Decimal("300.00")
    assert sum(r.amount for r in Remedy.objects.all()) == Decimal("300.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_people_deciding_one_request_at_once_give_it_only_once(caps, agent, lead, manager, case):
    # Given a pending refund over the agent's cap
    refund = kind("full_refund")
    approval = services.remedy_give(
        case=case, actor=agent, kind=refund, amount="80", currency="GBP", confirmed_customer_total=True
    ).approval
    start = threading.Barrier(2)
    outcomes = []

    def decide(actor, approve):
        try:
            start.wait()
            services.approval_decide(approval=approval, actor=actor, approve=approve, reason="Decided.")
            outcomes.append("won")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    # When the lead approves and the manager denies at the same moment
    threads = [
        threading.Thread(target=decide, args=(lead, True)),
        threading.Thread(target=decide, args=(manager, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then one decision stands, and the other is told it came too late
    approval.refresh_from_db()
    assert sorted(o == "won" for o in outcomes) == [False, True]
    assert any("already" in o for o in outcomes)
    assert Remedy.objects.count() == (1 if approval.status == "approved" else 0)
