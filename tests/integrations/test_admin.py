"""What admins see: tokens (never their keys), subscriptions with their delivery log."""

import datetime

import pytest
from django.utils import timezone

from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.subscriptions import webhook_subscription_create
from integrations.tokens import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_admins_see_tokens_without_their_keys(admin_client, team):
    token, key = api_token_create(name="Order system", teams=[team], can_write=True)

    page = admin_client.get(f"/admin/integrations/apitoken/{token.pk}/change/").content.decode()

    assert "Order system" in page and token.prefix in page and key not in page


def test_admins_see_a_subscription_and_its_deliveries(admin_client, lead, agent, team):
    sub = webhook_subscription_create(actor=lead, name="CRM", url="http://127.0.0.1:9/", event_types=[])
    factories.open_case(actor=agent, team=team)

    page = admin_client.get(f"/admin/integrations/webhooksubscription/{sub.pk}/change/")
    log = admin_client.get("/admin/integrations/webhookdelivery/")

    assert page.status_code == 200 and "case.created" in page.content.decode()
    assert log.status_code == 200


def test_admins_redeliver_from_the_log(admin_client, lead, agent, team):
    webhook_subscription_create(actor=lead, name="CRM", url="http://127.0.0.1:9/", event_types=[])
    factories.open_case(actor=agent, team=team)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None, attempts=8)

    admin_client.post(
        "/admin/integrations/webhookdelivery/", {"action": "redeliver", "_selected_action": [delivery.pk]}
    )

    delivery.refresh_from_db()
    assert delivery.ladder_from == delivery.attempts == 8 and delivery.next_attempt_at is not None


def _change_form(sub, **changes) -> dict:
    data = {
        "name": sub.name,
        "url": sub.url,
        "secret": sub.secret,
        "event_types": "[]",
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
    }
    if sub.active:
        data["active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_cannot_point_a_subscription_inside(admin_client, lead, settings):
    sub = webhook_subscription_create(
        actor=lead, name="CRM", url="https://crm.example.com/hook", event_types=[]
    )
    settings.WEBHOOK_ALLOWED_HOSTS = []

    response = admin_client.post(
        f"/admin/integrations/webhooksubscription/{sub.pk}/change/",
        _change_form(sub, url="http://169.254.169.254/"),
    )

    assert response.status_code == 200 and "points to an internal address" in response.content.decode()
    sub.refresh_from_db()
    assert sub.url == "https://crm.example.com/hook"


def test_an_admin_switching_a_paused_subscription_on_sends_what_waited(admin_client, lead, agent, team):
    sub = webhook_subscription_create(actor=lead, name="CRM", url="http://127.0.0.1:9/", event_types=[])
    WebhookSubscription.objects.filter(pk=sub.pk).update(active=False, failure_count=20)
    factories.open_case(actor=agent, team=team)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() + datetime.timedelta(hours=3))
    sub.refresh_from_db()

    response = admin_client.post(
        f"/admin/integrations/webhooksubscription/{sub.pk}/change/", _change_form(sub, active="on")
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.active and sub.failure_count == 0
    assert WebhookDelivery.objects.get().next_attempt_at <= timezone.now()
