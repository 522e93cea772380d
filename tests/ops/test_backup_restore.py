"""The README's pg_dump / pg_restore procedure really brings back every case and event."""

import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from cases.models import Case, CaseEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are PostgreSQL's"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]


def _libpq_args(settings_dict) -> list[str]:
    return [
        "-h",
        settings_dict["HOST"] or "127.0.0.1",
        "-p",
        str(settings_dict["PORT"] or 5432),
        "-U",
        settings_dict["USER"] or "postgres",
    ]


def test_a_dump_restored_into_a_fresh_database_has_every_case_and_event(tmp_path):
    call_command("seed_demo", cases=30, verbosity=0)
    expected_cases = set(Case.objects.values_list("reference", "status", "triage_stage"))
    expected_events = CaseEvent.objects.count()
    db = connection.settings_dict
    dump = tmp_path / "recovery.dump"
    restored = f"recovery_restore_{uuid.uuid4().hex[:8]}"

    subprocess.run(["pg_dump", *_libpq_args(db), "-Fc", "-f", str(dump), db["NAME"]], check=True)
    subprocess.run(["createdb", *_libpq_args(db), restored], check=True)
    try:
        subprocess.run(["pg_restore", *_libpq_args(db), "--no-owner", "-d", restored, str(dump)], check=True)
        conn = psycopg2.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=restored
        )
        with conn, conn.cursor() as cursor:
            cursor.execute("SELECT reference, status, triage_stage FROM cases_case")
            assert set(cursor.fetchall()) == expected_cases
            cursor.execute("SELECT count(*) FROM cases_caseevent")
            assert cursor.fetchone()[0] == expected_events
            # The append-only guard comes back with the data.
            with pytest.raises(psycopg2.Error, match="append-only"):
                cursor.execute("DELETE FROM cases_caseevent")
        conn.close()
    finally:
        subprocess.run(["dropdb", *_libpq_args(db), "--if-exists", restored], check=True)
    print(f"restored {len(expected_cases)} cases and {expected_events} events, 0 missing")
