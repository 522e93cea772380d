# Deliveries moved to the one outbox loop (outbox.deliver_due): beat's database schedule forgets
# the two ticks whose tasks no longer exist, so beat does not send them every few seconds.

from django.db import migrations

OLD = {"sla-deliver": "sla.deliver", "webhooks-deliver-due": "integrations.tasks.webhooks_deliver_due"}


def forget(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task in OLD.items():
        PeriodicTask.objects.filter(name=name, task=task).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0004_clock_fired_levels_outbox_lease"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
