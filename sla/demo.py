"""Two cases to watch right after `make run`: nobody touches them, and their clocks go amber,
then red, then escalate on their own. Built through the same services the app uses."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Team, User
from cases import services as case_services
from cases.models import Case, Customer, Product

from .escalation import sweep
from .models import Clock, Notification
from .notify import notifications_mark_read
from .policies import policies_ensure_defaults
from .services import promise_make

WATCH = "DEMO-WATCH"
PROMISE_MINUTES = 5


def replay_tick(world) -> None:
    """The sweep at the replayed moment: what fell due since the last tick fires now."""
    sweep()


def replay_day_end(world) -> None:
    """At the end of a working day everyone has read their notices, and the day's e-mail and text
    messages went out that day: a fresh `make run` must not post months of history at start-up."""
    for user in world.users.values():
        notifications_mark_read(user=user)
    Notification.objects.filter(
        delivered_at__isnull=True, failed_at__isnull=True, created_at__lte=timezone.now()
    ).update(delivered_at=F("created_at"), next_attempt_at=None)


@dataclass
class Watch:
    live: Case
    promised: Case
    promise_due: datetime


def _still_running() -> bool:
    return Clock.objects.filter(
        case__source_reference__startswith=WATCH,
        stopped_at__isnull=True,
        breached_at__isnull=True,
        kind__in=["first_response", "promise"],
    ).exists()


def seed_watch_cases() -> Watch | None:
    """Open the two watch cases, unless the last ones are still counting down."""
    policies_ensure_defaults()
    agent = User.objects.filter(username="ava").first()
    team = Team.objects.filter(name="Front desk").first()
    if agent is None or team is None or _still_running():
        return None
    customer = Customer.objects.filter(email="maria.lopez@example.com").first() or Customer.objects.create(
        name="Maria Lopez", email="maria.lopez@example.com"
    )
    other = Customer.objects.filter(email="tom.becker@example.com").first() or customer
    product = Product.objects.get_or_create(name="Home delivery")[0]
    now = timezone.now()
    with transaction.atomic():
        live = case_services.case_open(
            actor=agent,
            customer=customer,
            channel="chat",
            severity="high",
            summary="Live chat: charged twice for one order, waiting now",
            description="I can see two payments of 42.00 on my card for the same order.",
            product=product,
            journey_stage="billing",
            team=team,
            source_reference=f"{WATCH}-{now:%H%M%S}-chat",
        )
        promised = case_services.case_open(
            actor=agent,
            customer=other,
            channel="email",
            severity="medium",
            summary="Missed delivery slot, callback promised",
            description="Nobody came between 8 and 12. I took the morning off for this.",
            product=product,
            journey_stage="delivery",
            team=team,
            source_reference=f"{WATCH}-{now:%H%M%S}-promise",
        )
        case_services.case_transition(
            case=promised,
            action="respond",
            actor=agent,
            data={"message": "I am so sorry, that is on us. I own this and will call you back shortly."},
        )
        clock = promise_make(
            case=promised,
            actor=agent,
            what="Call back with a new delivery slot",
            due_at=now + timedelta(minutes=PROMISE_MINUTES),
        )
    return Watch(live=live, promised=promised, promise_due=clock.due_at)
