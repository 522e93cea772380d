"""The rollup finds remedies granted since its last run by given_at (PostgreSQL only, built
CONCURRENTLY like 0002's dashboard indexes); a remedy does not touch its case's updated_at."""

from django.db import migrations

NAME = "insights_remedy_given_at"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON remedies_remedy (given_at)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("insights", "0009_daily_breakdowns"), ("remedies", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
