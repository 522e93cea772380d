"""The rollup counts the cases given a remedy per currency (the spend per case). Days rolled up
before it lack those rows: forgetting the watermark makes the next beat tick roll every day up
again; until it has, the dashboard reads live, as before a first run."""

from django.db import migrations, models


def forget_watermark(apps, schema_editor):
    apps.get_model("insights", "RollupRun").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0010_remedy_given_at_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dailybreakdown",
            name="breakdown",
            field=models.CharField(
                choices=[
                    ("root_cause", "Root cause (id)"),
                    ("why_origin", "WHY origin (empty: not said)"),
                    ("why_answer", "WHY yes/no answer (question=answer)"),
                    ("what_stage", "WHAT journey stage"),
                    ("what_part", "WHAT part affected"),
                    ("csat_score", "Survey score (by the day answered)"),
                    ("remedy_cases", "Cases given a remedy (currency)"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(forget_watermark, migrations.RunPython.noop, elidable=True),
    ]
