"""Every rule's changes are kept, shown to managers only, and a sign-in is not a change."""

import pytest
from django.test import Client

from messaging.models import MessageTemplate
from sla.models import BusinessCalendar

pytestmark = pytest.mark.django_db


def test_a_role_change_is_recorded_but_a_sign_in_is_not(agent):
    before = agent.history.count()
    Client().force_login(agent)  # writes last_login: no rule changed
    agent.refresh_from_db()
    assert agent.last_login is not None
    assert agent.history.count() == before
    agent.role = "team_lead"
    agent.save()
    newest = agent.history.order_by("-history_date").first()
    assert newest.role == "team_lead" and agent.history.count() == before + 1


def test_templates_and_calendars_have_histories_only_managers_read(client, agent, manager):
    template = MessageTemplate.objects.create(kind="apology", name="Sorry h15a", body="Hello {first_name}")
    template.body = "Dear {first_name}"
    template.save()
    BusinessCalendar.objects.create(name="h15a office")
    client.force_login(agent)
    assert client.get("/rules/messaging.messagetemplate/history/").status_code == 403
    client.force_login(manager)
    page = client.get(f"/rules/messaging.messagetemplate/{template.pk}/history/").content.decode()
    assert "Hello {first_name}" in page and "Dear {first_name}" in page
    assert client.get("/rules/sla.businesscalendar/history.csv").status_code == 200
    assert client.get("/rules/cases.case/history/").status_code == 404  # not a rule
