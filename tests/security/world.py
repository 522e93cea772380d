"""A small world for the permission matrix: two teams, one person of each role, and one of each thing."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from cases import services
from cases.workflow import Action
from integrations.models import WebhookSubscription
from integrations.tokens import api_token_create, api_token_revoke
from knowledge.services import article_create
from remedies.demo import install_default_caps
from remedies.models import ApprovalRequest, RemedyKind
from sla.models import BusinessCalendar, Notification, Policy
from tests import factories

ROLES = [
    "anonymous", "agent_a", "agent_b", "lead_a", "manager", "admin",
    "token_read", "token_write", "token_b", "token_revoked",
]  # fmt: skip
# Tokens act on behalf of a person of their teams when money or approvals are at stake.
ON_BEHALF_OF = {
    "token_read": "agent_a",
    "token_write": "agent_a",
    "token_b": "agent_b",
    "token_revoked": "agent_a",
}


@dataclass
class World:
    clients: dict[str, Client]
    ids: dict[str, object]
    people: dict[str, object]

    def log_in_again(self, role: str) -> None:
        # The role's last request may have been rolled back with its session (a login rotates
        # the key): sign it in afresh before it acts. Tokens and the anonymous keep no session.
        person = self.people.get(role)
        if person is not None:
            self.clients[role].force_login(person)


def build() -> World:
    team_a = factories.TeamFactory(name="Front desk")
    team_b = factories.TeamFactory(name="Online orders")
    people = {
        "agent_a": factories.UserFactory(username="ava", role="agent", teams=[team_a]),
        "agent_b": factories.UserFactory(username="omar", role="agent", teams=[team_b]),
        "lead_a": factories.UserFactory(username="lee", role="team_lead", teams=[team_a]),
        "manager": factories.UserFactory(username="max", role="manager"),
        "admin": factories.UserFactory(username="ada", role="admin", is_staff=True, is_superuser=True),
    }
    install_default_caps()
    team_a.lead = people["lead_a"]
    team_a.save()
    agent = people["agent_a"]
    case = factories.open_case(actor=agent, team=team_a)
    services.triage_record_what(case=case, actor=agent, answers=factories.WHAT_ANSWERS)
    services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    lead = people["lead_a"]
    services.triage_record_why(
        case=case,
        actor=lead,
        answers={"root_cause": factories.root_cause(), "explanation": "Late van.", "origin": "vendor"},
    )
    services.case_transition(case=case, action=Action.COMPLETE_WHY, actor=lead)
    action = services.corrective_action_add(
        case=case,
        actor=lead,
        description="Check vans",
        owner=lead,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    now = timezone.now()
    approval = ApprovalRequest.objects.create(
        case=case,
        requested_by=agent,
        kind=RemedyKind.objects.get(code="full_refund"),
        amount=Decimal("120.00"),
        currency="GBP",
        reason="over the cap",
        requested_at=now,
        due_at=now + datetime.timedelta(minutes=15),
        assigned_to=lead,
    )
    outbox = Notification.objects.create(
        channel="email",
        recipient=lead,
        address="lee@example.com",
        case=case,
        subject="Breach",
        body="R-1 breached",
        created_at=now,
        attempts=8,
        failed_at=now,
        last_error="refused",
    )
    webhook = WebhookSubscription.objects.create(name="CRM", url="http://127.0.0.1:9/hook", secret="s" * 32)
    webhook.teams.set([team_a])
    article = article_create(actor=people["manager"], data={"title": "Price rise", "body": "Boards change."})
    clients = {"anonymous": Client()}
    for role, person in people.items():
        clients[role] = Client()
        clients[role].force_login(person)
    for role, write, team in (
        ("token_read", False, team_a),
        ("token_write", True, team_a),
        ("token_b", True, team_b),
        ("token_revoked", True, team_a),
    ):
        token, key = api_token_create(name=role, teams=[team], can_write=write)
        if role == "token_revoked":
            api_token_revoke(token=token)
        clients[role] = Client(HTTP_AUTHORIZATION=f"Token {key}")
    ids = {
        "reference": case.reference,
        "customer": case.customer_id,
        "action": action.pk,
        "approval": approval.pk,
        "policy": Policy.objects.order_by("pk").first().pk,
        "calendar": BusinessCalendar.objects.order_by("pk").first().pk,
        "outbox": outbox.pk,
        "webhook": webhook.pk,
        "team": team_a.pk,
        "user": agent.pk,
        "product": case.product_id,
        "root_cause": factories.root_cause().pk,
        "team_b": team_b.pk,
        "article": article.pk,
        **{f"person:{role}": person.pk for role, person in people.items()},
    }
    return World(clients=clients, ids=ids, people=people)
