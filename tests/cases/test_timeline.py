"""The timeline is append-only: not even admin or raw SQL may rewrite it."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from cases.models import CaseEvent
from cases.models.timeline import AppendOnlyError

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_edited_or_deleted_through_the_model(case):
    event = case.events.get()
    event.kind = "case.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert CaseEvent.objects.get(pk=event.pk).kind == "case.opened"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_updates_and_deletes_of_events(case):
    for statement in ("UPDATE cases_caseevent SET kind = 'x'", "DELETE FROM cases_caseevent"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert case.events.count() == 1


def test_admin_offers_no_way_to_change_or_delete_events(admin_client, case):
    event = case.events.get()
    response = admin_client.get(f"/admin/cases/caseevent/{event.pk}/delete/")
    assert response.status_code == 403
    response = admin_client.post(f"/admin/cases/caseevent/{event.pk}/change/", {"kind": "x"})
    assert response.status_code == 403
    assert CaseEvent.objects.get(pk=event.pk).kind == "case.opened"
