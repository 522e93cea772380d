"""The demo: ava gives a coupon at once, asks for a refund over her cap, and lee approves it."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import User
from cases.models import Case
from remedies import services
from remedies.authority import remaining_authority
from remedies.models import AuthorityCap, Remedy, RemedyKind

pytestmark = pytest.mark.django_db


def test_the_demo_has_caps_remedies_and_room_for_ava_to_give_a_coupon():
    call_command("seed_demo", cases=40, verbosity=0)
    call_command("seed_demo", cases=40, verbosity=0)

    assert AuthorityCap.objects.filter(user=None, kind=None).count() == 4
    assert Remedy.objects.exists() and Remedy.objects.filter(plus_one=True).exists()
    ava, lee = User.objects.get(username="ava"), User.objects.get(username="lee")
    case = Case.objects.filter(owner=ava, status="responded").first()
    assert remaining_authority(ava, case).most_now >= Decimal("10")

    coupon = services.remedy_give(
        case=case, actor=ava, kind=RemedyKind.objects.get(code="coupon"), amount="10", currency="GBP",
        note="For your next order.", plus_one=True, confirmed_customer_total=True,
    )  # fmt: skip
    refund = services.remedy_give(
        case=case, actor=ava, kind=RemedyKind.objects.get(code="full_refund"), amount="120",
        currency="GBP", note="Full refund.", confirmed_customer_total=True,
    )  # fmt: skip

    assert coupon.remedy is not None
    assert refund.approval.assigned_to == lee
    services.approval_decide(approval=refund.approval, actor=lee, approve=True, reason="Fair.")
    assert case.remedies.count() >= 2
