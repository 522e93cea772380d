"""Default caps and a few remedies for the demo data set, all through the services."""

from decimal import Decimal

from django.conf import settings

from accounts.models import Role

from .models import AuthorityCap, RemedyKind

WORKED = {"responded", "resolved", "followed_up"}

# role: (per remedy, per case, per day, per month); None is no limit.
DEFAULT_CAPS = {
    Role.AGENT: ("50", "100", "300", "2000"),
    Role.TEAM_LEAD: ("500", "1000", "3000", "20000"),
    Role.MANAGER: (None, None, None, None),
    Role.ADMIN: (None, None, None, None),
}


def install_default_caps() -> None:
    """One cap per role for every kind, unless one is already there (an admin may have changed it)."""
    for role, limits in DEFAULT_CAPS.items():
        values = dict(zip(AuthorityCap.LIMITS, (Decimal(v) if v else None for v in limits), strict=True))
        AuthorityCap.objects.get_or_create(role=role, user=None, kind=None, defaults=values)


# kind code, note to the customer, +1
DEMO_REMEDIES = [
    ("apology", "I am sorry: this should never have happened, and I own it now.", False),
    ("coupon", "A voucher for your next order, on us.", True),
    ("partial_refund", "We refunded the difference to your card.", False),
    ("expedited_shipping", "Your replacement goes out by express delivery at our cost.", True),
    ("free_item", "We added a dessert to your next order.", True),
    ("fee_waiver", "We waived the delivery fee.", False),
    ("personal_callback", "I will call you tomorrow at 10 to check everything is right.", True),
]


def seed_remedy(world, case, *, limit: int = 12) -> bool:
    """Now and then a remedy right after the first response; few, to leave the demo agents most
    of today's budget."""
    from . import services

    rng = world.rng
    given = world.counts.get("remedies", 0)
    if given >= limit or case.owner is None or case.status not in WORKED or rng.random() < 0.6:
        return False
    kinds = {kind.code: kind for kind in RemedyKind.objects.filter(active=True)}
    code, note, plus_one = rng.choice(DEMO_REMEDIES)
    if code not in kinds:
        return False
    services.remedy_give(
        case=case,
        actor=case.owner,
        kind=kinds[code],
        amount=kinds[code].default_amount,
        currency=settings.DEFAULT_CURRENCY,
        note=note,
        plus_one=plus_one,
        confirmed_customer_total=True,
    )
    world.counts["remedies"] = given + 1
    return True
