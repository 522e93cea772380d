# The reference becomes a stored column computed by the database from the id, so a case has it
# from its INSERT. A column cannot turn into a generated one in place: it is dropped and added
# back, computed from the same id, so every existing reference keeps its value.

from django.db import migrations, models

import cases.models.case


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_idempotencykey"),
    ]

    operations = [
        migrations.RemoveField(model_name="case", name="reference"),
        migrations.AddField(
            model_name="case",
            name="reference",
            field=models.GeneratedField(
                db_persist=True,
                expression=cases.models.case.CaseReference("id"),
                output_field=models.CharField(max_length=20),
                unique=True,
            ),
        ),
    ]
