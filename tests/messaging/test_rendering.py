"""Templates filled with the case's facts: readable fallbacks, never "None", never a crash."""

from datetime import UTC, datetime

import pytest

from messaging.models import MessageKind, MessageTemplate
from messaging.rendering import message_render
from sla.models import BusinessCalendar, TeamCalendar
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_fills_the_customers_first_name_reference_owner_and_product(mailed, agent):
    agent.first_name, agent.last_name = "Ava", "Stone"
    agent.save()

    out = message_render(case=mailed, subject="{reference}", body="Hi {first_name}, {owner} has {product}.")

    assert out.subject == mailed.reference
    assert out.body == f"Hi Jo, Ava Stone has {mailed.product.name}."


def test_missing_values_render_a_clear_fallback_not_none(team, agent):
    # Given a customer with no name and a case with no owner and no promise
    customer = factories.CustomerFactory(name="", email="x@example.com")
    case = factories.open_case(actor=agent, team=team, customer=customer)
    case.owner = None
    case.save(update_fields=["owner"])

    out = message_render(case=case, subject="", body="Hi {first_name}, {owner} will act {promised_time}.")

    assert out.body == "Hi there, our team will act as soon as we can."
    assert "None" not in out.body


def test_unknown_or_broken_placeholders_are_left_as_written(mailed):
    out = message_render(case=mailed, subject="", body="{nope} {first_name {} }{")

    assert out.body == "{nope} {first_name {} }{"


def test_the_promised_time_is_shown_in_the_teams_calendar_time_zone(mailed, team):
    calendar = BusinessCalendar.objects.create(name="Tokyo", tz="Asia/Tokyo", hours={})
    TeamCalendar.objects.create(team=team, calendar=calendar)

    out = message_render(
        case=mailed, subject="", body="by {promised_time}", promised_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    )

    assert out.body == "by Monday 1 June at 18:00 (JST)"


def test_default_templates_exist_for_every_kind_a_person_sends():
    kinds = set(MessageTemplate.objects.values_list("kind", flat=True))

    assert {"apology", "expectation", "update", "resolution", "follow_up", "acknowledgement"} <= kinds
    assert MessageKind.FREE not in kinds


def test_the_preview_escapes_html_from_the_customers_name(client, agent, team):
    customer = factories.CustomerFactory(name="<b>Bad</b> Name", email="b@example.com")
    case = factories.open_case(actor=agent, team=team, customer=customer)
    client.force_login(agent)
    template = MessageTemplate.objects.get(kind="apology")

    page = client.get(f"/messaging/cases/{case.reference}/compose/?template={template.pk}")

    assert page.status_code == 200
    assert b"<b>Bad</b>" not in page.content
    assert b"Hello &lt;b&gt;Bad&lt;/b&gt;," in page.content
