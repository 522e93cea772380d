"""Builds the demo data set through the same services the app uses, so it is realistic."""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Role, Team, User

from . import services
from .models import Case, Channel, Customer, JourneyStage, Product, RootCause, Severity
from .workflow import Action

DEMO_PASSWORD = "recover-2026"

PEOPLE = [
    # username, first, last, role, teams
    ("ava", "Ava", "Agent", Role.AGENT, ["Front desk"]),
    ("sam", "Sam", "Support", Role.AGENT, ["Front desk"]),
    ("omar", "Omar", "Online", Role.AGENT, ["Online orders"]),
    ("lee", "Lee", "Lead", Role.TEAM_LEAD, ["Front desk"]),
    ("nia", "Nia", "Nightingale", Role.TEAM_LEAD, ["Online orders"]),
    ("max", "Max", "Manager", Role.MANAGER, []),
    ("admin", "Ada", "Admin", Role.ADMIN, []),
]
PRODUCTS = [
    "Home delivery",
    "In-store pickup",
    "Restaurant dining",
    "Mobile app",
    "Loyalty card",
    "Installation service",
    "Phone support",
]
ROOT_CAUSES = {
    "Expectations": ["Delivery time not agreed", "Product functions oversold", "Service conditions unclear"],
    "Process": [
        "No check-in during delivery",
        "No verification before hand-over",
        "Slow complaint response",
        "Callback never made",
    ],
    "People": ["Not empowered to fix", "Training gap", "Wrong person in the role"],
    "Quality": ["Defect in our product", "Vendor part failed", "Incomplete order"],
    "Pricing": ["Charged above the menu price", "Promotion not applied"],
}
COMPLAINTS = [
    ("Wrong order delivered", "I ordered the vegetarian box and got the meat one. Again."),
    ("Charged more than the menu price", "The menu says 12.50, the receipt says 15.90."),
    ("Support call dropped, no callback", "I was promised a call back within the hour. Nobody called."),
    ("Told it's corporate's problem", "The store manager said he can't do anything, it's head office."),
    ("Delivery two days late", "The parcel was promised for Monday and came on Wednesday."),
    ("App crashes at checkout", "Three times the app crashed when I tried to pay."),
    ("Loyalty points missing", "My points from last month's purchases never arrived."),
    ("Installer left a mess", "The technician left packaging and dust all over the kitchen."),
    ("Item missing from order", "The receipt lists four items, the bag had three."),
    ("Rude staff at the counter", "The person at the counter rolled their eyes and walked off."),
]
CUSTOMERS = [
    ("Maria Lopez", "maria.lopez@example.com", "+44 7700 900101"),
    ("James O'Connor", "james.oconnor@example.com", "+44 7700 900102"),
    ("Priya Shah", "priya.shah@example.com", "+44 7700 900103"),
    ("Tom Becker", "tom.becker@example.com", "+44 7700 900104"),
    ("Aiko Tanaka", "aiko.tanaka@example.com", "+44 7700 900105"),
    ("Lucas Martin", "lucas.martin@example.com", "+44 7700 900106"),
    ("Fatima Khan", "fatima.khan@example.com", "+44 7700 900107"),
    ("Noah Williams", "noah.williams@example.com", "+44 7700 900108"),
    ("Chloe Dubois", "chloe.dubois@example.com", "+44 7700 900109"),
    ("Ben Carter", "ben.carter@example.com", "+44 7700 900110"),
    ("Sofia Rossi", "sofia.rossi@example.com", "+44 7700 900111"),
    ("Daniel Kim", "daniel.kim@example.com", "+44 7700 900112"),
]
# How far along the demo cases get: (customer steps, triage steps), spread over every stage.
PROGRESS = [(0, 0), (1, 0), (1, 1), (2, 1), (2, 2), (3, 3), (4, 3), (5, 3), (1, 2), (2, 3)]


@dataclass
class DemoWorld:
    """What the core seeded, for the concerns' seeders: the people, the cases worked, the dice."""

    users: dict
    rng: random.Random
    worked: object = None


# (stage, seeder): "people" runs once teams and people exist, "cases" once cases are worked.
# Each concern registers its own in AppConfig.ready(), so the core seeds without knowing them.
_seeders: list[tuple[str, object]] = []


def register_seeder(stage: str, seeder) -> None:
    if (stage, seeder) not in _seeders:
        _seeders.append((stage, seeder))


def _run_seeders(stage: str, world: DemoWorld) -> None:
    for when, seeder in _seeders:
        if when == stage:
            seeder(world)


@dataclass
class SeedReport:
    created_cases: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        total = Case.objects.count()
        return f"{len(self.accounts)} accounts, {total} cases ({self.created_cases} new)."


def seed(*, case_count: int = 100, random_seed: int = 7) -> SeedReport:
    report = SeedReport()
    teams = {
        name: Team.objects.get_or_create(name=name, defaults={"slug": name.lower().replace(" ", "-")})[0]
        for name in ("Front desk", "Online orders")
    }
    users = {}
    for username, first, last, role, team_names in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "email": f"{username}@recovery.example",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.teams.set([teams[n] for n in team_names])
        users[username] = user
        report.accounts.append((username, DEMO_PASSWORD, Role(user.role).label))
    for team, lead in ((teams["Front desk"], users["lee"]), (teams["Online orders"], users["nia"])):
        if team.lead_id is None:
            team.lead = lead
            team.save(update_fields=["lead"])
    world = DemoWorld(users=users, rng=random.Random(random_seed))
    _run_seeders("people", world)
    products = [Product.objects.get_or_create(name=name)[0] for name in PRODUCTS]
    causes = []
    for category, children in ROOT_CAUSES.items():
        parent, _ = RootCause.objects.get_or_create(name=category, parent=None)
        causes += [RootCause.objects.get_or_create(name=c, parent=parent)[0] for c in children]
    customers = [
        Customer.objects.get_or_create(email=e, defaults={"name": n, "phone": p})[0] for n, e, p in CUSTOMERS
    ]
    if Case.objects.filter(created_by__username__in=[p[0] for p in PEOPLE]).exists():
        return report
    rng = world.rng
    agents = {teams["Front desk"]: [users["ava"], users["sam"]], teams["Online orders"]: [users["omar"]]}
    leads = {teams["Front desk"]: users["lee"], teams["Online orders"]: users["nia"]}
    now = timezone.now()
    created = []
    for i in range(case_count):
        team = rng.choice(list(teams.values()))
        agent = rng.choice(agents[team])
        summary, description = rng.choice(COMPLAINTS)
        case = services.case_open(
            actor=agent,
            customer=rng.choice(customers),
            channel=rng.choice(Channel.values),
            summary=summary,
            description=description,
            product=rng.choice(products),
            journey_stage=rng.choice(JourneyStage.values),
            severity=rng.choice(Severity.values),
            team=team,
            opened_at=now - datetime.timedelta(minutes=rng.randint(5, 60 * 24 * 30)),
            source_reference=f"ORD-{10000 + i}" if rng.random() < 0.5 else "",
        )
        _progress(case, agent, leads[team], users, rng.choice(causes), PROGRESS[i % len(PROGRESS)], rng)
        report.created_cases += 1
        created.append(case.pk)
    worked = Case.objects.filter(pk__in=created).select_related("owner").order_by("pk")
    world.worked = worked
    _run_seeders("cases", world)
    return report


def _progress(case, agent, lead, users, cause, progress, rng) -> None:
    customer_steps, triage_steps = progress
    if triage_steps >= 1:
        services.triage_record_what(
            case=case,
            actor=agent,
            answers={
                "complaint": case.description,
                "scope": "part",
                "part_affected": case.product.name,
                "journey_stage": case.journey_stage,
                "tried_before": rng.choice(["yes", "no"]),
                "prior_attempts": "Called the shop the same day.",
                "our_answer": "We said we would look into it.",
                "why_not_enough": "Nobody came back to them.",
            },
        )
        services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    if triage_steps >= 2:
        services.triage_record_why(
            case=case,
            actor=lead,
            answers={
                "root_cause": cause,
                "explanation": f"Traced to: {cause.name.lower()}.",
                "origin": rng.choice(["ours", "vendor", "both"]),
                "responded_at_once": rng.choice(["yes", "no"]),
            },
        )
        services.case_transition(case=case, action=Action.COMPLETE_WHY, actor=lead)
    if triage_steps >= 3:
        if rng.random() < 0.3:
            services.triage_record_different(
                case=case,
                actor=lead,
                answers={
                    "no_change_needed": True,
                    "no_change_reason": "A one-off: the process worked as designed.",
                },
            )
        else:
            services.corrective_action_add(
                case=case,
                actor=lead,
                description=f"Fix the process behind '{cause.name}'.",
                owner=lead,
                due_date=timezone.localdate() + datetime.timedelta(days=rng.randint(3, 30)),
            )
        services.case_transition(case=case, action=Action.COMPLETE_DIFFERENT, actor=lead)
    steps = [
        (
            Action.RESPOND,
            {
                "message": f"Hello {case.customer.name.split()[0]}, I am so sorry. I own this now "
                "and will fix it today."
            },
        ),
        (Action.RESOLVE, {"resolution": "Refunded the difference and sent a voucher for next time."}),
        (Action.FOLLOW_UP, {"note": "Customer is happy with the fix and will order again."}),
        (Action.CLOSE, {}),
    ]
    handoff = customer_steps == 5  # responded, then handed off to the lead
    for action, data in steps[: 1 if handoff else customer_steps]:
        if action == Action.CLOSE and triage_steps < 3:
            break
        services.case_transition(case=case, action=action, actor=agent, data=data)
    if handoff:
        services.case_assign(case=case, to_owner=lead, actor=agent, reason="Customer asked for a manager.")
