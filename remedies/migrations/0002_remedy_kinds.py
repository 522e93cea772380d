from decimal import Decimal

from django.db import migrations

# code, name, default amount, costs money
KINDS = [
    ("apology", "Apology", "0", False),
    ("full_refund", "Full refund", "0", True),
    ("partial_refund", "Partial refund", "10", True),
    ("coupon", "Coupon or voucher", "10", True),
    ("replacement", "Replacement", "0", True),
    ("redo", "Redo of the service", "0", True),
    ("expedited_shipping", "Expedited shipping at our cost", "8", True),
    ("free_item", "Free item or upgrade", "5", True),
    ("fee_waiver", "Fee waiver", "5", True),
    ("personal_callback", "Personal callback", "0", False),
    ("other", "Other", "0", True),
]


def create_kinds(apps, schema_editor):
    RemedyKind = apps.get_model("remedies", "RemedyKind")
    for position, (code, name, amount, costs) in enumerate(KINDS):
        RemedyKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_amount": Decimal(amount),
                "costs_money": costs,
                "position": position,
            },
        )


def remove_kinds(apps, schema_editor):
    apps.get_model("remedies", "RemedyKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("remedies", "0001_initial")]

    operations = [migrations.RunPython(create_kinds, remove_kinds)]
