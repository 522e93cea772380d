"""Managers set authority caps in the browser; everyone else is refused; each change is kept."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from remedies.models import AuthorityCap

pytestmark = pytest.mark.django_db


def _post(client, url, **data):
    base = {"role": "", "user": "", "kind": "", "currency": "GBP"}
    base |= dict.fromkeys(AuthorityCap.LIMITS, "")
    return client.post(url, base | data)


def test_agents_and_leads_cannot_see_or_set_caps(client, agent, lead):
    for person in (agent, lead):
        client.force_login(person)
        assert client.get("/remedies/caps/").status_code == 403
        assert _post(client, "/remedies/caps/", role="agent", max_per_remedy="999").status_code == 403
    assert not AuthorityCap.objects.exists()


def test_a_manager_sets_an_agents_own_cap_and_the_history_names_them_with_before_and_after(
    client, manager, agent
):
    client.force_login(manager)
    answer = _post(client, "/remedies/caps/", user=str(agent.pk), max_per_remedy="40", budget_per_day="100")
    cap = AuthorityCap.objects.get()
    assert answer.status_code == 302 and answer.url == f"/remedies/caps/{cap.pk}/"
    assert cap.user == agent and cap.max_per_remedy == Decimal("40.00")

    _post(client, f"/remedies/caps/{cap.pk}/", user=str(agent.pk), max_per_remedy="60", budget_per_day="100")
    page = client.get(f"/remedies/caps/{cap.pk}/").content.decode()
    assert "Most per remedy" in page and "40.00" in page and "60.00" in page

    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/rules/remedies.authoritycap/{cap.pk}/history.csv").content.decode())
        )
    )
    changed = [r for r in rows if r["change"] == "changed"]
    assert changed == [
        {"changed_at": changed[0]["changed_at"], "changed_by": "max", "change": "changed", "rule": "Authority caps",
         "record": str(cap.pk), "field": "Most per remedy", "before": "40.00", "after": "60.00"}
    ]  # fmt: skip
    assert {r["changed_by"] for r in rows} == {"max"}


def test_bad_caps_are_refused_with_the_field_that_is_wrong(client, manager, agent):
    client.force_login(manager)
    neither = _post(client, "/remedies/caps/", max_per_remedy="10")
    both = _post(client, "/remedies/caps/", role="agent", user=str(agent.pk))
    negative = _post(client, "/remedies/caps/", role="agent", max_per_case="-5")
    assert (neither.status_code, both.status_code, negative.status_code) == (400, 400, 400)
    assert "Choose a role or a person." in neither.context["form"].errors["role"]
    assert "not both" in both.context["form"].errors["user"][0]
    assert "cannot be negative" in negative.context["form"].errors["max_per_case"][0]
    _post(client, "/remedies/caps/", role="agent", max_per_remedy="10")
    twice = _post(client, "/remedies/caps/", role="agent", max_per_remedy="20")
    assert twice.status_code == 400 and "already a cap" in str(twice.context["form"].errors)
    assert AuthorityCap.objects.count() == 1


def test_removing_a_cap_keeps_its_history(client, manager):
    client.force_login(manager)
    _post(client, "/remedies/caps/", role="team_lead", max_per_remedy="100")
    cap = AuthorityCap.objects.get()
    assert client.post(f"/remedies/caps/{cap.pk}/remove/").status_code == 302
    assert not AuthorityCap.objects.exists()
    kinds = [h.history_type for h in AuthorityCap.history.filter(id=cap.pk).order_by("history_date")]
    assert kinds == ["+", "-"]
    page = client.get("/rules/remedies.authoritycap/history/").content.decode()
    assert "deleted" in page and "created" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the guard is a PostgreSQL trigger")
def test_the_history_cannot_be_edited_or_deleted(client, manager):
    client.force_login(manager)
    _post(client, "/remedies/caps/", role="agent", max_per_remedy="10")
    record = AuthorityCap.history.get()
    for attempt in (
        lambda: AuthorityCap.history.filter(pk=record.pk).update(max_per_remedy=Decimal("1")),
        lambda: AuthorityCap.history.filter(pk=record.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert AuthorityCap.history.get().max_per_remedy == Decimal("10.00")
