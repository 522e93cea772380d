"""The rollup finds the cases changed since its last run by updated_at (PostgreSQL only, built
CONCURRENTLY like 0002's dashboard indexes)."""

from django.db import migrations

NAME = "insights_case_updated_at"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON cases_case (updated_at)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("insights", "0004_h15b_daily_rollup")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
