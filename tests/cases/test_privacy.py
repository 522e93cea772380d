import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from cases.models import Case, CaseEvent, Customer, CustomerErasure
from cases.privacy import ERASED, ErasureSubject, register_eraser, unregister_eraser
from cases.services.privacy import customer_erase
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_manager_exports_everything_held_about_a_customer(client, manager, case):
    client.force_login(manager)
    response = client.get(f"/cases/customers/{case.customer.pk}/export.json")
    data = json.loads(response.content)
    assert data["customer"]["email"] == case.customer.email
    assert [c["reference"] for c in data["cases"]] == [case.reference]
    assert data["cases"][0]["timeline"][0]["kind"] == "case.opened"


def test_agents_and_leads_cannot_export_erase_or_see_erasures(client, agent, lead, case):
    for user in (agent, lead):
        client.force_login(user)
        assert client.get(f"/cases/customers/{case.customer.pk}/export.json").status_code == 403
        response = client.post(
            f"/cases/customers/{case.customer.pk}/erase/",
            {"reason": "x", "confirm_name": case.customer.name},
        )
        assert response.status_code == 403
        assert client.get("/cases/customers/erasures/").status_code == 403
    assert Customer.objects.get(pk=case.customer.pk).name == case.customer.name


def test_erasure_needs_a_reason_and_the_name_typed(client, manager, case):
    client.force_login(manager)
    response = client.post(f"/cases/customers/{case.customer.pk}/erase/", {"reason": "Asked by phone"})
    assert "Type the customer" in response.content.decode()
    assert Customer.objects.get(pk=case.customer.pk).email == case.customer.email
    assert not CustomerErasure.objects.exists()


def test_erasure_anonymises_the_customer_and_keeps_the_case_with_a_timeline_entry(client, manager, case):
    client.force_login(manager)
    name = case.customer.name
    response = client.post(
        f"/cases/customers/{case.customer.pk}/erase/", {"reason": "Request of 25 Nov", "confirm_name": name}
    )
    assert response.status_code == 302 and response["Location"] == "/cases/customers/erasures/"
    customer = Customer.objects.get(pk=case.customer.pk)
    assert customer.email == "" and customer.phone == "" and name not in customer.name
    kept = Case.objects.get(pk=case.pk)
    assert kept.description == ERASED and kept.summary == ERASED
    assert (kept.opened_at, kept.status, kept.severity) == (case.opened_at, case.status, case.severity)
    event = kept.events.get(kind="customer.erased", actor=manager)
    assert event.data["erasure"] == CustomerErasure.objects.get().pk


def test_staff_words_stay_with_the_customer_cut_out(agent, team, manager):
    customer = factories.CustomerFactory(name="Ottoline Brack", email="obrack@example.org", phone="")
    case = factories.open_case(actor=agent, team=team, customer=customer)
    Case.objects.filter(pk=case.pk).update(
        first_response="Dear Ottoline Brack, we are sorry about the delay."
    )

    customer_erase(customer=customer, actor=manager, reason="Asked")

    assert Case.objects.get(pk=case.pk).first_response == f"Dear {ERASED}, we are sorry about the delay."


def test_erasing_twice_changes_nothing_more_and_records_once(manager, case):
    first = customer_erase(customer=case.customer, actor=manager, reason="Asked by mail")
    events = list(CaseEvent.objects.order_by("id").values_list("id", "data"))

    again = customer_erase(customer=case.customer, actor=manager, reason="Asked again")

    assert again == first and CustomerErasure.objects.count() == 1
    assert list(CaseEvent.objects.order_by("id").values_list("id", "data")) == events
    assert first.counts["cases"] == 1 and first.counts["customer"] == 1


def test_an_eraser_that_fails_leaves_everything_as_it_was(manager, case):
    def broken(subject: ErasureSubject) -> dict[str, int]:
        raise RuntimeError("storage offline")

    register_eraser("zz-broken", broken)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            customer_erase(customer=case.customer, actor=manager, reason="Asked")
    finally:
        unregister_eraser("zz-broken")
    kept = Case.objects.get(pk=case.pk)
    assert kept.summary == case.summary and kept.customer.email == case.customer.email
    assert not CustomerErasure.objects.exists()
    assert not kept.events.filter(kind="customer.erased").exists()


def test_the_erasure_record_shows_who_when_why_and_counts_never_the_data(client, manager, case):
    name, email = case.customer.name, case.customer.email
    customer_erase(customer=case.customer, actor=manager, reason=f"Letter of 2 Dec from {name}")
    client.force_login(manager)
    page = client.get("/cases/customers/erasures/").content.decode()
    assert "Letter of 2 Dec from [erased]" in page and "cases: 1" in page and "Max" in page
    assert name not in page and email not in page


def test_the_admins_history_no_longer_names_the_customer_or_quotes_the_case(manager, case):
    name = case.customer.name
    for obj in (case.customer, case):
        LogEntry.objects.create(
            user=manager,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj),
            action_flag=CHANGE,
            change_message="[]",
        )

    customer_erase(customer=case.customer, actor=manager, reason="Asked")

    reprs = list(LogEntry.objects.values_list("object_repr", flat=True))
    assert sorted(reprs) == sorted([f"Erased customer {case.customer.pk}", f"{case.reference} {ERASED}"])
    assert not any(name in r or case.summary in r for r in reprs)
