"""Each published event type reaches a subscriber when the real services record what happened."""

from datetime import timedelta

import pytest

from cases import services
from cases.workflow import Action
from integrations import webhooks
from integrations.models import WebhookDelivery
from integrations.subscriptions import webhook_subscription_create
from remedies.services import approval_decide, remedy_give
from sla.escalation import sweep
from tests import factories
from tests.cases.test_transitions import walk_triage
from tests.remedies.conftest import caps, coupon  # noqa: F401
from tests.sla.conftest import MONDAY_10, clock_at, policies  # noqa: F401

pytestmark = pytest.mark.django_db


def subscribe(lead, team, receiver, event_type: str):
    team.lead = lead
    team.save(update_fields=["lead"])
    return webhook_subscription_create(
        actor=lead,
        name=event_type,
        url=receiver.url,
        event_types=[event_type],
        teams=[team],
        secret=receiver.secret,
    )


def received(receiver, event_type: str) -> list[dict]:
    """Send what is due, for real, to the receiver; return the bodies of that type it processed."""
    for delivery in WebhookDelivery.objects.all():
        webhooks.webhook_deliver(delivery_id=delivery.pk)
    return [body for body in receiver.processed if body["type"] == event_type]


@pytest.fixture
def live_chat_case(clock_at, agent, lead, team, manager):  # noqa: F811
    """First response within one minute, 24/7: warns at 30 s, breaches at 60 s, escalates after."""
    team.lead = lead
    team.save(update_fields=["lead"])
    return factories.open_case(actor=agent, team=team, channel="chat", severity="low")


@pytest.mark.parametrize(
    ("event_type", "seconds", "kind"),
    [
        ("clock.warning", 30, "sla.clock.warned"),
        ("clock.breached", 60, "sla.clock.breached"),
        ("escalation.fired", 180, "sla.clock.escalated"),
    ],
)
def test_the_sla_sweep_announces_warnings_breaches_and_escalations(
    live_chat_case,
    clock_at,  # noqa: F811
    lead,
    team,
    receiver,
    event_type,
    seconds,
    kind,
):
    subscribe(lead, team, receiver, event_type)

    clock_at(MONDAY_10 + timedelta(seconds=seconds))
    sweep()

    bodies = received(receiver, event_type)
    assert bodies, f"no {event_type} was delivered"
    assert {b["kind"] for b in bodies} == {kind}
    assert bodies[0]["case"]["reference"] == live_chat_case.reference


def test_a_remedy_given_is_announced(case, agent, lead, team, receiver, coupon, caps):  # noqa: F811
    subscribe(lead, team, receiver, "remedy.given")

    remedy_give(case=case, actor=agent, kind=coupon, amount="10.00", currency="GBP")

    [body] = received(receiver, "remedy.given")
    assert body["data"]["amount"] == "10.00" and body["data"]["currency"] == "GBP"


def test_an_approval_request_and_its_decision_are_announced(case, agent, lead, team, receiver, coupon, caps):  # noqa: F811
    subscribe(lead, team, receiver, "approval.requested")
    webhook_subscription_create(
        actor=lead, name="decisions", url=receiver.url, event_types=["approval.decided"], teams=[team],
        secret=receiver.secret,
    )  # fmt: skip

    result = remedy_give(case=case, actor=agent, kind=coupon, amount="80.00", currency="GBP")
    approval_decide(approval=result.approval, actor=lead, approve=False, reason="Too much for a late coffee")

    [asked] = received(receiver, "approval.requested")
    [decided] = received(receiver, "approval.decided")
    assert asked["data"]["approval"] == result.approval.pk
    assert decided["data"]["decision"] == "denied"


def test_closing_a_case_is_announced(case, agent, lead, team, receiver):
    subscribe(lead, team, receiver, "case.closed")
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    walk_triage(case, agent, lead)
    services.case_transition(case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Refunded."})

    services.case_transition(case=case, action=Action.CLOSE, actor=agent)

    [body] = received(receiver, "case.closed")
    assert body["case"]["status"] == "closed"
