"""Subscribers cannot point us inside: internal addresses are refused at subscription and at send."""

import socket
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cases import outbox
from integrations import egress
from integrations.models import WebhookDelivery
from integrations.subscriptions import webhook_subscription_create, webhook_subscription_update
from tests import factories

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1:5432/",
    "http://10.0.0.1/",
    "http://[::1]:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "http://192.168.1.10/",
    "http://172.16.0.5/",
    "http://0.0.0.0:8000/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00:ec2::254]/",
    "http://localhost:6379/",
]


@pytest.fixture
def nothing_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_address_cannot_be_subscribed(nothing_allowed, lead, url):
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_create(actor=lead, name="Probe", url=url, event_types=[])

    assert refused.value.message_dict == {"url": [egress.REFUSED]}


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/"])
def test_only_http_and_https_can_be_subscribed(lead, url):
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_create(actor=lead, name="Odd", url=url, event_types=[])

    assert refused.value.message_dict == {"url": ["Use an http or https URL."]}


def test_127_0_0_1_is_refused_without_the_allow_list(nothing_allowed, lead, receiver):
    with pytest.raises(ValidationError):
        webhook_subscription_create(actor=lead, name="Local", url=receiver.url, event_types=[])


def test_a_listed_host_or_network_is_allowed_for_on_premises_receivers(settings, lead):
    settings.WEBHOOK_ALLOWED_HOSTS = ["10.20.0.0/16", "hooks.corp.internal"]

    webhook_subscription_create(actor=lead, name="On prem", url="http://10.20.3.4/hook", event_types=[])
    with pytest.raises(ValidationError):
        webhook_subscription_create(actor=lead, name="Other", url="http://10.21.0.1/", event_types=[])
    with mock.patch("socket.getaddrinfo", return_value=[(socket.AF_INET, 1, 6, "", ("10.9.9.9", 80))]):
        webhook_subscription_create(
            actor=lead, name="Named", url="http://hooks.corp.internal/", event_types=[]
        )


def test_changing_the_url_to_an_internal_one_is_refused(nothing_allowed, lead):
    sub = webhook_subscription_create(
        actor=lead, name="CRM", url="https://crm.example.com/hook", event_types=[]
    )

    with pytest.raises(ValidationError) as refused:
        webhook_subscription_update(actor=lead, subscription=sub, changes={"url": "http://10.0.0.1/"})

    assert "url" in refused.value.message_dict
    sub.refresh_from_db()
    assert sub.url == "https://crm.example.com/hook"


def test_the_api_answers_400_with_the_url_error(nothing_allowed, api):
    response = api.post(
        "/api/v1/webhooks/", {"name": "Probe", "url": "http://169.254.169.254/"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"url": [egress.REFUSED]}


def test_the_browser_form_shows_the_url_error(nothing_allowed, client, lead):
    client.force_login(lead)

    response = client.post("/integrations/webhooks/", {"name": "Probe", "url": "http://10.0.0.1/"})

    assert response.status_code == 400 and egress.REFUSED in response.content.decode()


def test_a_name_that_resolves_inside_at_send_time_is_refused_without_connecting(
    nothing_allowed, lead, agent, team, receiver
):
    # Accepted while the name did not resolve; by send time it points at our own receiver.
    sub = webhook_subscription_create(
        actor=lead, name="Rebind", url="http://rebind.example.com/hooks", event_types=[], teams=[team]
    )
    factories.open_case(actor=agent, team=team)
    port = receiver.port
    internal = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with mock.patch("socket.getaddrinfo", return_value=internal):
        outbox.deliver_due()

    delivery = WebhookDelivery.objects.get(subscription=sub)
    assert receiver.requests == []
    assert delivery.last_error == egress.REFUSED and delivery.last_status is None


def test_a_name_with_one_internal_address_among_public_ones_is_refused(nothing_allowed):
    mixed = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443)),
    ]
    with mock.patch("socket.getaddrinfo", return_value=mixed), pytest.raises(egress.Refused):
        egress.target_for("https://mixed.example.com/")


def test_refused_addresses_say_the_same_whether_a_port_is_open_or_not(
    nothing_allowed, lead, agent, team, receiver, settings
):
    # A receiver is listening on one port; nothing listens on port 9. Subscribed while allowed,
    # then the operator takes 127.0.0.1 off the list.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    open_port = webhook_subscription_create(
        actor=lead, name="Open", url=receiver.url, event_types=[], teams=[team]
    )
    closed_port = webhook_subscription_create(
        actor=lead, name="Closed", url="http://127.0.0.1:9/", event_types=[], teams=[team]
    )
    settings.WEBHOOK_ALLOWED_HOSTS = []
    factories.open_case(actor=agent, team=team)

    outbox.deliver_due()

    errors = {d.subscription_id: d.last_error for d in WebhookDelivery.objects.all()}
    assert errors == {open_port.pk: egress.REFUSED, closed_port.pk: egress.REFUSED}
    assert receiver.requests == []


def test_the_connection_goes_to_the_vetted_address_with_the_url_host_in_the_host_header(
    lead, agent, team, receiver
):
    port = receiver.port
    sub = webhook_subscription_create(
        actor=lead,
        name="Named",
        url=f"http://hooks.test:{port}/hooks",
        event_types=[],
        teams=[team],
        secret=receiver.secret,
    )
    factories.open_case(actor=agent, team=team)
    lookups = []

    def resolve(host, port, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with mock.patch("socket.getaddrinfo", side_effect=resolve):
        outbox.deliver_due()

    assert WebhookDelivery.objects.get(subscription=sub).delivered_at is not None
    # The name is looked up once; the connection resolves only the vetted literal address.
    assert lookups.count("hooks.test") == 1 and set(lookups) == {"hooks.test", "127.0.0.1"}
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.test:{port}"


def test_a_redirect_is_an_answer_not_followed(lead, agent, team, receiver):
    receiver.answers = [302]
    webhook_subscription_create(
        actor=lead, name="CRM", url=receiver.url, event_types=[], teams=[team], secret=receiver.secret
    )
    factories.open_case(actor=agent, team=team)

    outbox.deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status == 302 and delivery.delivered_at is None
    assert len(receiver.requests) == 1
