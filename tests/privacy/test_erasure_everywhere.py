"""After an erasure nothing of the customer is left: not in any table, not in any stored file."""

import os
import subprocess

import pytest
from django.db import connection
from django.test import Client

from cases.models import Case, CustomerErasure
from remedies.models import Remedy
from sla.models import Clock
from tests import factories

from .seeding import ATTACHMENT, EMAIL, LOCAL_PART, NAME, PHONE, seed_customer_everywhere

# Committed for real: pg_dump reads the database from its own connection.
pytestmark = pytest.mark.django_db(transaction=True)

# The proof greps a pg_dump of the database; on the SQLite default there is no dump to grep.
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="greps a pg_dump")

TRACES = [NAME, "Quintessa", "Marlowe-Vance", EMAIL, LOCAL_PART, PHONE, PHONE.split(" ", 1)[1]]


def database_dump() -> str:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    args = ["pg_dump", "--no-owner", "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    args += ["-U", db.get("USER") or "postgres", db["NAME"]]
    return subprocess.run(args, env=env, capture_output=True, check=True, text=True).stdout


def media_traces(root) -> list[str]:
    found = []
    for folder, _dirs, files in os.walk(root):
        for filename in files:
            path = os.path.join(folder, filename)
            with open(path, "rb") as stored:
                content = stored.read().decode("utf-8", errors="replace").lower()
            found += [f"{path}: {t}" for t in TRACES if t.lower() in content or t.lower() in filename.lower()]
    return found


@pytest.fixture
def people(team):
    return {
        "agent": factories.UserFactory(username="ava", role="agent", teams=[team]),
        "manager": factories.UserFactory(username="max", role="manager"),
    }


@postgres_only
def test_seeding_leaves_the_customer_in_the_dump_and_in_media(team, people, media_root):
    # Proves the search below can fail: before the erasure every trace is there.
    seed_customer_everywhere(team=team, agent=people["agent"], manager=people["manager"])
    dump = database_dump().lower()
    assert [t for t in TRACES if t.lower() not in dump] == []
    assert media_traces(media_root)


@postgres_only
def test_after_an_erasure_no_table_and_no_stored_file_holds_the_customer(team, people, media_root):
    seeded = seed_customer_everywhere(team=team, agent=people["agent"], manager=people["manager"])
    before = {
        case.pk: (case.opened_at, case.status, case.first_responded_at, case.channel, case.severity)
        for case in seeded.cases
    }
    remedies_before = list(Remedy.objects.values_list("case_id", "amount", "currency", "given_at"))
    clocks_before = list(Clock.objects.order_by("id").values_list("case_id", "kind", "started_at", "due_at"))
    manager = Client()
    manager.force_login(people["manager"])

    response = manager.post(
        f"/cases/customers/{seeded.customer.pk}/erase/",
        {"reason": "Request by letter of 1 Dec", "confirm_name": NAME},
    )

    assert response.status_code == 302
    dump = database_dump()
    left = [t for t in TRACES if t.lower() in dump.lower()]
    assert left == [], [line for line in dump.splitlines() if any(t.lower() in line.lower() for t in left)][
        :10
    ]
    assert media_traces(media_root) == []
    assert [f for _d, _s, files in os.walk(media_root) for f in files] == []  # raw mail and files are gone
    assert ATTACHMENT not in dump.encode()
    # The figures stay for the dashboards.
    after = {
        case.pk: (case.opened_at, case.status, case.first_responded_at, case.channel, case.severity)
        for case in Case.objects.filter(pk__in=before)
    }
    assert after == before and len(after) == 3
    assert list(Remedy.objects.values_list("case_id", "amount", "currency", "given_at")) == remedies_before
    assert remedies_before
    assert (
        list(Clock.objects.order_by("id").values_list("case_id", "kind", "started_at", "due_at"))
        == clocks_before
    )
    # And who erased what, when, is on record, with counts only.
    erasure = CustomerErasure.objects.get()
    assert erasure.erased_by == people["manager"] and erasure.reason == "Request by letter of 1 Dec"
    assert erasure.counts["inbound.files"] == 1 and erasure.counts["inbound.raw_files"] == 2
    assert (
        erasure.counts["messaging.messages"] == 1 and erasure.counts["integrations.webhook_deliveries"] >= 3
    )
    page = manager.get("/cases/customers/erasures/").content.decode()
    assert "Request by letter of 1 Dec" in page and "inbound.files: 1" in page
