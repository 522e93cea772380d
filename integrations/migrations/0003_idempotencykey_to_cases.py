from django.db import migrations


class Migration(migrations.Migration):
    """IdempotencyKey moved to the core (cases 0007, state only). Here its table follows:
    renamed in place, rows, indexes and constraints kept, then forgotten by this app."""

    dependencies = [
        ("integrations", "0002_webhook_leases_and_pausing"),
        ("cases", "0007_idempotencykey"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="idempotencykey", table="cases_idempotencykey"),
            ],
            state_operations=[
                migrations.DeleteModel(name="IdempotencyKey"),
            ],
        ),
    ]
