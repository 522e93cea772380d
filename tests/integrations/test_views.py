"""Webhook subscriptions in the browser: leads subscribe, see the log, send again, switch off."""

import pytest

from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.subscriptions import webhook_subscription_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_lead_subscribes_and_sees_the_secret_once(client, lead, team):
    client.force_login(lead)

    response = client.post(
        "/integrations/webhooks/",
        {"name": "CRM", "url": "https://crm.example.com/hook", "event_types": ["case.created"]},
    )

    sub = WebhookSubscription.objects.get()
    assert response.status_code == 201
    assert sub.secret in response.content.decode()
    assert list(sub.teams.all()) == [team] and sub.event_types == ["case.created"]
    assert sub.secret not in client.get(f"/integrations/webhooks/{sub.pk}/").content.decode()


def test_bad_input_shows_form_errors_and_keeps_what_was_typed(client, lead):
    client.force_login(lead)

    response = client.post("/integrations/webhooks/", {"name": "CRM", "url": "not a url", "secret": "short"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid URL." in page and 'value="CRM"' in page
    assert not WebhookSubscription.objects.exists()


def test_agents_cannot_manage_webhooks(client, agent):
    client.force_login(agent)

    assert client.get("/integrations/webhooks/").status_code == 403


def test_the_log_shows_deliveries_and_a_lead_sends_one_again(client, lead, agent, team):
    sub = webhook_subscription_create(actor=lead, name="CRM", url="http://127.0.0.1:9/", event_types=[])
    case = factories.open_case(actor=agent, team=team)
    WebhookDelivery.objects.update(next_attempt_at=None, attempts=8)
    client.force_login(lead)

    page = client.get(f"/integrations/webhooks/{sub.pk}/").content.decode()
    delivery = WebhookDelivery.objects.get()
    client.post(f"/integrations/webhooks/{sub.pk}/deliveries/{delivery.pk}/redeliver/")

    assert case.reference in page and "case.created" in page
    delivery.refresh_from_db()
    assert delivery.ladder_from == delivery.attempts == 8 and delivery.next_attempt_at is not None


def test_a_lead_switches_a_subscription_off_and_on(client, lead):
    sub = webhook_subscription_create(actor=lead, name="CRM", url="http://127.0.0.1:9/", event_types=[])
    client.force_login(lead)

    client.post(f"/integrations/webhooks/{sub.pk}/toggle/")
    sub.refresh_from_db()
    assert not sub.active
    client.post(f"/integrations/webhooks/{sub.pk}/toggle/")
    sub.refresh_from_db()
    assert sub.active and sub.disabled_at is None


def test_another_leads_subscription_is_a_404(client, lead, other_team):
    nia = factories.UserFactory(username="nia", role="team_lead", teams=[other_team])
    theirs = webhook_subscription_create(actor=nia, name="Theirs", url="http://127.0.0.1:9/", event_types=[])
    client.force_login(lead)

    assert client.get(f"/integrations/webhooks/{theirs.pk}/").status_code == 404
