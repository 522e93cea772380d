"""Indexes the dashboard needs at scale, on the cases tables it reads (PostgreSQL only).

Measured with bench/dashboard.py at 1M cases (see bench/README.md). Built CONCURRENTLY so a
live database keeps taking cases while they build; SQLite (development) does without them.
"""

from django.db import migrations

INDEXES = {
    # "Now" figures: the few cases not closed, grouped by status, stage, owner; index-only.
    "insights_case_not_closed": "ON cases_case (status, triage_stage, owner_id, team_id) "
    "WHERE status <> 'closed'",
    # A team lead's cases in the period: one range scan instead of AND-ing two big bitmaps.
    "insights_case_team_opened": "ON cases_case (team_id, opened_at)",
    # Trend of resolutions per day.
    "insights_case_resolved_at": "ON cases_case (resolved_at) WHERE resolved_at IS NOT NULL",
    # Root-cause Pareto: recent WHY answers with their case and cause, index-only.
    "insights_why_updated": "ON cases_whyanswer (updated_at) INCLUDE (case_id, root_cause_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("insights", "0001_initial"),
        ("cases", "0002_timeline_append_only"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
