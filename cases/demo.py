"""Builds the demo data set through the same services the app uses, so it is realistic."""

import datetime
import heapq
import itertools
import random
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role, Team, User

from . import services
from .models import Case, Channel, Customer, JourneyStage, Product, RootCause, Severity, Status
from .workflow import Action, TransitionError

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
    """What the core seeded, for the concerns' seeders: the people, the cases worked, the dice,
    and the replay's clock (`now`, and `at` to plan a step of one's own later in the history)."""

    users: dict
    rng: random.Random
    worked: object = None
    replay: "Replay | None" = None
    counts: dict = field(default_factory=dict)

    @property
    def now(self) -> datetime.datetime:
        return timezone.now()

    def at(self, when: datetime.datetime, step) -> None:
        if self.replay is not None:
            self.replay.at(when, step)

    def revisit(self, case_pk: int) -> None:
        """Something outside a case's plan moved it (a survey reopened it): its story looks again."""
        if self.replay is not None and case_pk in self.replay.stories:
            self.replay.stories[case_pk].revisit()


# Stages: "people" runs once teams and people exist, "cases" once every case is worked (the clock
# back at the present). Along the replayed history: "tick" each time the clock moves (the SLA sweep
# runs there, so breaches and escalations happen when they fell due), "day_end" after each past
# working day (people read their bell), and per case (called as seeder(world, case)):
# "responded" after the first response, "follow_up" when the customer is called back (a seeder
# that records the call returns True; with none, the core moves the case on itself).
# Each concern registers its own in AppConfig.ready(), so the core seeds without knowing them.
_seeders: list[tuple[str, object]] = []
PER_CASE = {"responded", "follow_up"}


def register_seeder(stage: str, seeder) -> None:
    if (stage, seeder) not in _seeders:
        _seeders.append((stage, seeder))


def _run_seeders(stage: str, world: DemoWorld, *args) -> list:
    return [seeder(world, *args) for when, seeder in _seeders if when == stage]


def BEAT() -> None:
    """A step that only lets the sweep run."""


class Replay:
    """Months of history played through the real services on a movable clock.

    Every service reads `timezone.now()`; time-machine moves it to each planned step in turn, and
    the sweep runs at every move, so each clock is met or breached as it would have been. A step
    planned after the present never happens: recent cases are simply still being worked.
    """

    def __init__(self, world: DemoWorld, *, start: datetime.datetime, end: datetime.datetime):
        self.world, self.start, self.end = world, start, end
        self._queue: list = []
        self._seq = itertools.count()
        self.refused = 0
        self.stories: dict = {}

    def at(self, when: datetime.datetime, step) -> None:
        if when < self.end:
            heapq.heappush(self._queue, (when, next(self._seq), step))

    def run(self) -> None:
        try:
            import time_machine  # a development tool: only the demo moves the clock
        except ImportError as exc:
            raise ImproperlyConfigured(
                "The demo replays its history with time-machine: pip install -r requirements-dev.txt"
            ) from exc

        day = self.start
        while day < self.end - datetime.timedelta(hours=24):  # the last day's news stays unread
            if day.weekday() < 5:
                self.at(day.replace(hour=17, minute=45), lambda: _run_seeders("day_end", self.world))
            day += datetime.timedelta(days=1)
        beat = self.start
        while beat < self.end:  # the sweep's beat, slowed to every three hours for speed
            self.at(beat, BEAT)
            beat += datetime.timedelta(hours=3)
        swept = self.start
        with time_machine.travel(self.start, tick=False) as traveller:
            while self._queue:
                when, _seq, step = heapq.heappop(self._queue)
                traveller.move_to(when)
                # The sweep runs on each beat and before any step a while after the last one; a
                # clock stopped late in between still records its breach as it stops.
                if step is BEAT or when - swept >= datetime.timedelta(minutes=20):
                    _run_seeders("tick", self.world)
                    swept = when
                try:
                    step()
                except (TransitionError, ValidationError, PermissionDenied):
                    self.refused += 1  # the workflow said no (a reopened case, say): so be it
            traveller.move_to(self.end)
            _run_seeders("tick", self.world)


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
    agents = {teams["Front desk"]: [users["ava"], users["sam"]], teams["Online orders"]: [users["omar"]]}
    leads = {teams["Front desk"]: users["lee"], teams["Online orders"]: users["nia"]}
    end = timezone.now()
    replay = world.replay = Replay(world, start=end - datetime.timedelta(days=HISTORY_DAYS), end=end)
    created: list[int] = []
    for i in range(case_count):
        # The last few came in minutes ago and wait for an answer; the few before are in hand.
        fresh, in_hand = i >= case_count - 3, case_count - 6 <= i < case_count - 3
        team = teams["Front desk"] if in_hand else world.rng.choice(list(teams.values()))
        story = CaseStory(
            world=world,
            team=team,
            agent=agents[team][i % 2] if in_hand else world.rng.choice(agents[team]),
            lead=leads[team],
            customer=world.rng.choice(customers),
            product=world.rng.choice(products),
            cause=world.rng.choice(causes),
            index=i,
            created=created,
            fresh=fresh,
            in_hand=("fixed" if i == case_count - 6 else "open") if in_hand else "",
        )
        replay.at(_opening_time(world.rng, replay, i, case_count), story.open_step())
    replay.run()
    report.created_cases = len(created)
    world.worked = Case.objects.filter(pk__in=created).select_related("owner").order_by("pk")
    _run_seeders("cases", world)
    return report


HISTORY_DAYS = 91
LIVE = {Channel.PHONE, Channel.CHAT, Channel.IN_PERSON}
WRITTEN = [Channel.EMAIL, Channel.WEB_FORM, Channel.SOCIAL_MEDIA, Channel.REVIEW_SITE]
OPEN_FROM, OPEN_TO = 9, 17  # the office hours the SLA's business clocks count


def _local(at: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(at)


def _is_open(at: datetime.datetime) -> bool:
    local = _local(at)
    return local.weekday() < 5 and OPEN_FROM <= local.hour < OPEN_TO


def _next_open(at: datetime.datetime) -> datetime.datetime:
    local = _local(at)
    while not (local.weekday() < 5 and OPEN_FROM <= local.hour < OPEN_TO):
        if local.weekday() < 5 and local.hour < OPEN_FROM:
            local = local.replace(hour=OPEN_FROM, minute=0, second=0)
        else:
            local = (local + datetime.timedelta(days=1)).replace(hour=OPEN_FROM, minute=0, second=0)
        local = timezone.localtime(timezone.make_aware(local.replace(tzinfo=None)))
    return local


def business_after(at: datetime.datetime, minutes: float) -> datetime.datetime:
    """`minutes` of office time after `at`: work waits overnight and over the weekend."""
    at, left = _next_open(at), datetime.timedelta(minutes=minutes)
    while True:
        closing = _local(at).replace(hour=OPEN_TO, minute=0, second=0, microsecond=0)
        if at + left <= closing:
            return at + left
        left -= closing - at
        at = _next_open(closing)


def _opening_time(rng: random.Random, replay: Replay, i: int, n: int) -> datetime.datetime:
    """Most cases spread over the months, a quarter over the last week, the last few just now."""
    end = replay.end
    if i >= n - 3:
        return end - datetime.timedelta(minutes=rng.randint(4, 50))
    if i >= n - 6:
        return end - datetime.timedelta(minutes=rng.randint(60, 240))
    if i >= n * 3 // 4:
        lo, hi = end - datetime.timedelta(days=7), end - datetime.timedelta(hours=2)
    else:
        lo, hi = replay.start, end - datetime.timedelta(days=10)
    at = lo + (hi - lo) * rng.random()
    if not _is_open(at):  # complaints come in mostly while the shops are open
        moved = _next_open(at) + datetime.timedelta(minutes=rng.randint(0, 7 * 60))
        at = moved if moved < hi else at
    return at


@dataclass
class CaseStory:
    """One complaint's life, planned at its opening: each step goes through the services when the
    replayed clock reaches it. Mostly a team doing well; now and then a step comes late."""

    world: DemoWorld
    team: Team
    agent: User
    lead: User
    customer: Customer
    product: Product
    cause: RootCause
    index: int
    created: list
    fresh: bool = False
    in_hand: str = ""  # "open" or "fixed": among the last cases, being worked right now
    pk: int = 0

    @property
    def case(self) -> Case:
        return Case.objects.select_related("customer", "product", "owner", "team").get(pk=self.pk)

    def open_step(self):
        def step():
            rng = self.world.rng
            summary, description = rng.choice(COMPLAINTS)
            channel = (
                rng.choice(WRITTEN)
                if self.fresh or self.in_hand or rng.random() < 0.55
                else rng.choice(sorted(LIVE))
            )
            case = services.case_open(
                actor=self.agent,
                customer=self.customer,
                channel=channel,
                summary=summary,
                description=description,
                product=self.product,
                journey_stage=rng.choice(JourneyStage.values),
                severity=rng.choices(Severity.values, weights=[3, 5, 3, 1][: len(Severity.values)])[0],
                team=self.team,
                source_reference=f"ORD-{10000 + self.index}" if rng.random() < 0.5 else "",
            )
            self.pk = case.pk
            self.world.replay.stories[case.pk] = self
            self.created.append(case.pk)
            self._plan(case)

        return step

    def _plan(self, case: Case) -> None:
        rng, at, now = self.world.rng, self.world.at, self.world.now
        late = rng.random() < 0.08  # about one first response in twelve misses its target
        if case.channel in LIVE:
            minutes = rng.uniform(2, 12) if late else rng.uniform(0.2, 0.85)
            responded = now + datetime.timedelta(minutes=minutes)
            if late:  # the sweep sees the breach and tells the lead before the answer goes out
                at(now + datetime.timedelta(minutes=1.5), BEAT)
        else:
            target = 60 if case.severity == "critical" else 240
            minutes = rng.uniform(target * 1.1, target * 1.6) if late else rng.uniform(3, target * 0.7)
            responded = business_after(now, minutes)
        if self.fresh:
            responded = self.world.replay.end + datetime.timedelta(minutes=1)
        elif self.in_hand:  # answered at once, still being worked
            responded = now + datetime.timedelta(minutes=rng.uniform(3, 20))
        at(responded, self.respond)
        handoff = rng.random() < 0.1 and not self.in_hand  # the cases in hand stay with their agent
        if handoff:
            at(responded + datetime.timedelta(minutes=rng.randint(5, 30)), self.hand_off)
        what = business_after(responded, rng.uniform(15, 240))
        if self.in_hand:  # WHAT written while the customer is still on the line: WHY comes later
            what = responded + datetime.timedelta(minutes=rng.uniform(5, 15))
        at(what, self.record_what)
        slow = rng.random() < 0.08
        resolved = business_after(responded, rng.uniform(6, 14) * 60 if slow else rng.uniform(30, 300))
        if self.in_hand:  # one fixed already, waiting for its call back; the others still open
            fixed = self.in_hand == "fixed"
            resolved = (
                responded + datetime.timedelta(minutes=rng.uniform(20, 35))
                if fixed
                else self.world.replay.end
            )
        at(resolved, self.resolve)
        why = business_after(what, rng.uniform(1, 3.5) * 8 * 60)
        at(why, self.record_why)
        different = business_after(why, rng.uniform(1, 4) * 8 * 60)
        at(different, self.record_different)
        followed = business_after(resolved, rng.uniform(4 * 60, 14 * 60) if rng.random() < 0.95 else 20 * 60)
        at(followed, self.follow_up)
        at(max(followed, different) + datetime.timedelta(minutes=rng.randint(10, 180)), self.close)

    def respond(self):
        case = self.case
        name = case.customer.name.split()[0]
        services.case_transition(
            case=case,
            action=Action.RESPOND,
            actor=case.owner or self.agent,
            data={"message": f"Hello {name}, I am so sorry. I own this now and will fix it today."},
        )
        _run_seeders("responded", self.world, self.case)

    def hand_off(self):
        services.case_assign(
            case=self.case, to_owner=self.lead, actor=self.agent, reason="Customer asked for a manager."
        )

    def record_what(self):
        case = self.case
        rng = self.world.rng
        services.triage_record_what(
            case=case,
            actor=case.owner or self.agent,
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
        services.case_transition(case=self.case, action=Action.COMPLETE_WHAT, actor=case.owner or self.agent)

    def resolve(self):
        case = self.case
        services.case_transition(
            case=case,
            action=Action.RESOLVE,
            actor=case.owner or self.agent,
            data={"resolution": "Refunded the difference and sent a voucher for next time."},
        )

    def record_why(self):
        rng = self.world.rng
        services.triage_record_why(
            case=self.case,
            actor=self.lead,
            answers={
                "root_cause": self.cause,
                "explanation": f"Traced to: {self.cause.name.lower()}.",
                "origin": rng.choice(["ours", "vendor", "both"]),
                "responded_at_once": rng.choice(["yes", "no"]),
            },
        )
        services.case_transition(case=self.case, action=Action.COMPLETE_WHY, actor=self.lead)

    def record_different(self):
        rng = self.world.rng
        if rng.random() < 0.3:
            services.triage_record_different(
                case=self.case,
                actor=self.lead,
                answers={
                    "no_change_needed": True,
                    "no_change_reason": "A one-off: the process worked as designed.",
                },
            )
        else:
            services.corrective_action_add(
                case=self.case,
                actor=self.lead,
                description=f"Fix the process behind '{self.cause.name}'.",
                owner=self.lead,
                due_date=timezone.localdate() + datetime.timedelta(days=rng.randint(3, 30)),
            )
        services.case_transition(case=self.case, action=Action.COMPLETE_DIFFERENT, actor=self.lead)

    def follow_up(self):
        case = self.case
        if not any(_run_seeders("follow_up", self.world, case)):
            services.case_transition(
                case=case,
                action=Action.FOLLOW_UP,
                actor=case.owner or self.agent,
                data={"note": "Customer is happy with the fix and will order again."},
            )
        self.revisit()

    def revisit(self):
        """A still-unhappy customer reopened the case (at the call or in the survey): fix it again."""
        if self.case.status == Status.RESPONDED:
            rng, now = self.world.rng, self.world.now
            resolved = business_after(now, rng.uniform(60, 300))
            followed = business_after(resolved, rng.uniform(60, 8 * 60))
            self.world.at(resolved, self.resolve)
            self.world.at(followed, self.follow_up)
            self.world.at(followed + datetime.timedelta(minutes=rng.randint(10, 120)), self.close)

    def close(self):
        case = self.case
        services.case_transition(case=case, action=Action.CLOSE, actor=case.owner or self.agent)
