"""Repeat customers counted live for a team lead: an index on (team, customer, opened) lets
PostgreSQL group a team's cases of the period by customer from the index alone, in customer order
(EXPLAIN ANALYZE at 1M cases, a year of one of two teams, 250k rows: 62 ms, where a bitmap heap
scan and a hash aggregate spilling to disk took 474 ms). PostgreSQL only, built CONCURRENTLY like 0002's dashboard indexes;
it sits on the cases table and belongs in a cases migration once the branches meet."""

from django.db import migrations

NAME = "insights_case_team_customer_opened"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON cases_case (team_id, customer_id, opened_at)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("insights", "0012_repeat_customers"), ("cases", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
