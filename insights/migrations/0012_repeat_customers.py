"""Repeat customers of the standard periods, kept by beat (insights.services.repeat)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0011_rollup_remedy_cases"),
    ]

    operations = [
        migrations.CreateModel(
            name="RepeatCustomers",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateField()),
                ("end", models.DateField()),
                (
                    "teams",
                    models.CharField(
                        blank=True,
                        help_text="The team ids, sorted, comma-separated; empty: every team.",
                        max_length=200,
                    ),
                ),
                ("customers", models.PositiveIntegerField()),
                ("cases", models.PositiveIntegerField()),
                (
                    "top",
                    models.JSONField(help_text="The busiest customers: value (id), label (name) and count."),
                ),
                ("computed_at", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("start", "end", "teams"), name="repeat_customers_one_per_scope"
                    )
                ],
            },
        ),
    ]
