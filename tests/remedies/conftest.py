from decimal import Decimal

import pytest

from remedies.demo import install_default_caps
from remedies.models import RemedyKind


def kind(code: str, name: str = "", *, costs_money: bool = True, amount: str = "0") -> RemedyKind:
    # get_or_create: the catalogue comes from a data migration, which transactional tests flush.
    return RemedyKind.objects.get_or_create(
        code=code,
        defaults={"name": name or code.replace("_", " ").capitalize(), "costs_money": costs_money,
                  "default_amount": Decimal(amount)},
    )[0]  # fmt: skip


@pytest.fixture
def caps(db):
    install_default_caps()


@pytest.fixture
def coupon(db):
    return kind("coupon", "Coupon or voucher", amount="10")


@pytest.fixture
def refund(db):
    return kind("full_refund", "Full refund")


@pytest.fixture
def apology(db):
    return kind("apology", "Apology", costs_money=False)
