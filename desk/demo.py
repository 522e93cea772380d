"""The desk's demo: two macros for the frequent cases, so the case page and intake show them."""

from decimal import Decimal

from messaging.models import MessageKind, MessageTemplate
from remedies.models import RemedyKind

from .models import Macro


def seed_macros(world=None) -> int:
    apology = MessageTemplate.objects.filter(kind=MessageKind.APOLOGY, active=True).first()
    coupon = RemedyKind.objects.filter(code="coupon", active=True).first()
    made = 0
    if apology is not None and coupon is not None:
        _, created = Macro.objects.get_or_create(
            name="Late delivery: sorry, 10 GBP coupon, call back today",
            defaults={
                "description": "A box or visit that came late, first time.",
                "message_template": apology,
                "remedy_kind": coupon,
                "remedy_amount": Decimal("10.00"),
                "promise_what": "call you back today to check everything arrived",
                "promise_hours": 4,
                "position": 1,
            },
        )
        made += created
    if apology is not None:
        _, created = Macro.objects.get_or_create(
            name="Apology and ownership only",
            defaults={"message_template": apology, "position": 2},
        )
        made += created
    return made
