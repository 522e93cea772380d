"""The erasure's one exception to the append-only timeline, and everything it still refuses."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from cases.models import CaseEvent
from cases.privacy import timeline_erasure_allowed
from cases.services.privacy import customer_erase

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"),
]


def refused(statement: str, *, flag: bool) -> None:
    pk = CaseEvent.objects.get().pk
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        if flag:
            cursor.execute("SELECT set_config('recovery.erasure', 'on', true)")
        cursor.execute(statement, [pk])


def test_without_the_erasure_flag_even_the_data_cannot_be_rewritten(case):
    refused("UPDATE cases_caseevent SET data = '{}' WHERE id = %s", flag=False)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE cases_caseevent SET kind = 'case.forged' WHERE id = %s",
        "UPDATE cases_caseevent SET created_at = created_at - interval '1 day' WHERE id = %s",
        "UPDATE cases_caseevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM cases_caseevent WHERE id = %s",
    ],
)
def test_with_the_erasure_flag_only_the_data_may_change_and_nothing_is_deleted(case, statement):
    refused(statement, flag=True)
    assert CaseEvent.objects.get().kind == "case.opened"


def test_the_erasure_rewrites_data_and_switches_the_flag_off_again_at_once(case):
    event = case.events.get()
    with transaction.atomic():
        with timeline_erasure_allowed():
            CaseEvent.objects.filter(pk=event.pk).update(data={"summary": "[erased]"})
        # Later in the same transaction the timeline is append-only again.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CaseEvent.objects.filter(pk=event.pk).update(data={})
    assert CaseEvent.objects.get(pk=event.pk).data == {"summary": "[erased]"}


def test_after_an_erasure_the_rest_of_its_transaction_cannot_rewrite_the_timeline(case, manager):
    with transaction.atomic():
        customer_erase(customer=case.customer, actor=manager, reason="Asked in the shop")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CaseEvent.objects.filter(case=case).update(data={})
    assert case.events.filter(kind="customer.erased").exists()
