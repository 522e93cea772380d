import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Stored API answers join the core. State only: the table is renamed from
    integrations_idempotencykey by integrations 0003, which depends on this, so the data stays
    and the core needs no migration of a concern."""

    dependencies = [
        ("cases", "0006_customer_name_visible"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=255)),
                        (
                            "fingerprint",
                            models.CharField(help_text="SHA-256 of method, path and body.", max_length=64),
                        ),
                        ("status_code", models.PositiveSmallIntegerField()),
                        ("body", models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder)),
                        ("location", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "key"), name="idempotency_key_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
