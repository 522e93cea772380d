"""Demo knowledge: articles (the seed story's price rise among them) and a triaged history for
the suggestions to learn from, all through the services, then a model trained at once."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.models import Role, Team
from cases import services as case_services
from cases.models import Customer, JourneyStage, Product, RootCause
from cases.workflow import Action

from . import services, suggestions
from .models import Article

HISTORY = Path(settings.BASE_DIR) / "bench" / "triage_labelled.jsonl"
HISTORY_PER_CAUSE = 6
ARTICLES = [
    {
        "title": "Charged more than the menu price? The eco-friendly packaging price rise",
        "body": "Customers see a receipt above the price on the menu board. From **1 December** our "
        "meal prices rose by **1.25** to pay for the new "
        "eco-friendly packaging. The menu boards change on the 3rd; until then the till price is "
        "right and the board is not.\n\n- Apologise: the board is our mistake, not theirs.\n"
        "- Explain the packaging change in one sentence.\n- Offer the difference back if they ask.",
        "customer_text": "I'm sorry for the confusion. Our prices went up by 1.25 this week to pay for "
        "our new eco-friendly packaging, and the menu boards are being changed tomorrow. I've "
        "refunded the difference for today.",
        "products": ["Restaurant dining", "In-store pickup", "Home delivery"],
        "root_causes": ["Charged above the menu price"],
        "journey_stages": [JourneyStage.PURCHASE, JourneyStage.BILLING],
        "valid_days": (-2, 30),
    },
    {
        "title": "Which offers and codes combine",
        "body": "Discount codes, vouchers, 2-for-1 offers and loyalty points: one code per order, "
        "points combine with everything. If the till refused a valid offer, take it off by hand "
        "(*Manual discount*, reason *offer*).",
        "customer_text": "You're right, that offer should have applied. I've taken it off your bill now.",
        "root_causes": ["Promotion not applied"],
    },
    {
        "title": "Quoting delivery and visit windows",
        "body": "Always give a date and a two-hour window when the customer orders or books. "
        "Home delivery: 2-4 working days. Installation visits: booked within 10 working days.",
        "customer_text": "I'm sorry we never gave you a date. Your delivery is booked for the date "
        "below, between the times shown, and I will text you the morning it leaves.",
        "root_causes": ["Delivery time not agreed"],
    },
    {
        "title": "Promising a call back",
        "body": "Only promise a call back with a time, and book it in the queue before you hang up so "
        "someone else rings if you cannot.",
        "customer_text": "I'm sorry nobody called you back. I'm calling you myself at the time you choose.",
        "root_causes": ["Callback never made"],
    },
    {
        "title": "Old winter menu (expired)",
        "body": "The winter menu prices. Replaced by the December price list.",
        "root_causes": ["Charged above the menu price"],
        "valid_days": (-90, -10),
    },
]


# The history comes with the full demo (`make run` seeds 100 cases); smaller seeds (tests) keep
# exactly the cases they asked for.
HISTORY_FROM_CASES = 100


def seed_knowledge(world) -> None:
    if Article.objects.filter(title=ARTICLES[0]["title"]).exists():
        return
    _articles(world.users.get("max"))
    if world.worked is not None and world.worked.count() >= HISTORY_FROM_CASES:
        _history(world)
    suggestions.model_refresh(force=True)


def _articles(author) -> None:
    today = timezone.localdate()
    causes = {rc.name: rc.pk for rc in RootCause.objects.all()}
    products = {p.name: p.pk for p in Product.objects.all()}
    for spec in ARTICLES:
        valid = spec.get("valid_days")
        services.article_create(
            actor=author,
            data={
                "title": spec["title"],
                "body": spec["body"],
                "customer_text": spec.get("customer_text", ""),
                "products": [products[n] for n in spec.get("products", []) if n in products],
                "root_causes": [causes[n] for n in spec.get("root_causes", []) if n in causes],
                "journey_stages": spec.get("journey_stages", []),
                "valid_from": today + datetime.timedelta(days=valid[0]) if valid else None,
                "valid_until": today + datetime.timedelta(days=valid[1]) if valid else None,
            },
        )


def _history(world) -> None:
    """Triaged past cases from the bench's training complaints: what the organisation has seen."""
    if not HISTORY.exists():
        return
    import time_machine  # a development tool, as in cases.demo: only the demo moves the clock

    causes = {rc.name: rc for rc in RootCause.objects.filter(parent__isnull=False)}
    products = {p.name: p for p in Product.objects.all()}
    teams = list(Team.objects.order_by("id"))
    customers = list(Customer.objects.order_by("id")[:12])
    per_cause: dict[str, int] = {}
    rng, now = world.rng, timezone.now()
    for line in HISTORY.read_text().splitlines():
        item = json.loads(line)
        cause = causes.get(item["root_cause"])
        if item["split"] != "train" or cause is None or per_cause.get(cause.name, 0) >= HISTORY_PER_CAUSE:
            continue
        per_cause[cause.name] = per_cause.get(cause.name, 0) + 1
        team = rng.choice(teams)
        lead = team.lead
        agent = team.members.filter(role=Role.AGENT).order_by("id").first() or lead
        product = products.get(item["product"]) or rng.choice(list(products.values()))
        # Each past case lives its own life on the clock: answered within a minute, fixed within
        # hours, followed up and closed within a day or so, on its own days; not all today.
        opened = now - datetime.timedelta(days=rng.randint(31, 200), minutes=rng.randint(0, 600))
        with time_machine.travel(opened, tick=False) as clock:
            _history_case(clock, opened, item, cause, team, lead, agent, product, rng.choice(customers), rng)


def _history_case(clock, opened, item, cause, team, lead, agent, product, customer, rng) -> None:
    def at(minutes: float) -> None:
        clock.move_to(opened + datetime.timedelta(minutes=minutes))

    case = case_services.case_open(
        actor=agent,
        customer=customer,
        channel=rng.choice(["phone", "email", "in_person", "chat"]),
        summary=f"[history] {item['text'][:80]}",
        description=item["text"],
        product=product,
        journey_stage=item["journey_stage"],
        severity=item["severity"],
        team=team,
    )
    at(0.1)
    case_services.triage_record_what(
        case=case,
        actor=agent,
        answers={
            "complaint": item["text"],
            "scope": "whole",
            "journey_stage": item["journey_stage"],
            "tried_before": "no",
        },
    )
    case_services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    case_services.triage_record_why(
        case=case,
        actor=lead,
        answers={
            "root_cause": cause,
            "explanation": "Seen before.",
            "origin": "vendor" if cause.name == "Vendor part failed" else "ours",
        },
    )
    case_services.case_transition(case=case, action=Action.COMPLETE_WHY, actor=lead)
    case_services.triage_record_different(
        case=case,
        actor=lead,
        answers={"no_change_needed": True, "no_change_reason": "A known cause with a fix in place already."},
    )
    case_services.case_transition(case=case, action=Action.COMPLETE_DIFFERENT, actor=lead)
    at(0.5)  # the first response, well within the live channels' minute
    case_services.case_transition(
        case=case, action=Action.RESPOND, actor=agent, data={"message": "I'm sorry. I own this now."}
    )
    resolved = rng.uniform(60, 300)
    at(resolved)
    case_services.case_transition(
        case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Refunded the difference."}
    )
    # Followed up the next day or so and closed, as the live cases are: a history left at
    # Resolved would fill the dashboard's "not closed" tile with cases nobody works on.
    followed = resolved + rng.uniform(4 * 60, 24 * 60)
    at(followed)
    case_services.case_transition(
        case=case,
        action=Action.FOLLOW_UP,
        actor=agent,
        data={"note": "Customer is happy with the fix."},
    )
    at(followed + rng.uniform(10, 120))
    case_services.case_transition(case=case, action=Action.CLOSE, actor=agent)
