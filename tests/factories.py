import factory
from django.utils import timezone

from accounts.models import Team, User
from cases import services
from cases.models import Customer, Product, RootCause

PASSWORD = "a-Str0ng-test-pass"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    role = "agent"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+44 7700 9{n:05d}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("name",)

    name = "Home delivery"


def root_cause(name="Delivery time not agreed", category="Expectations") -> RootCause:
    parent, _ = RootCause.objects.get_or_create(name=category, parent=None)
    return RootCause.objects.get_or_create(name=name, parent=parent)[0]


def open_case(*, actor, team, **overrides):
    values = {
        "customer": overrides.pop("customer", None) or CustomerFactory(),
        "channel": "phone",
        "summary": "Wrong order delivered",
        "description": "Got the meat box instead of the vegetarian one.",
        "product": overrides.pop("product", None) or ProductFactory(),
        "journey_stage": "delivery",
        "severity": "high",
        "team": team,
        "opened_at": timezone.now(),
    }
    values.update(overrides)
    return services.case_open(actor=actor, **values)


WHAT_ANSWERS = {
    "complaint": "Vegetarian box replaced by a meat box.",
    "scope": "part",
    "part_affected": "Main course",
    "journey_stage": "delivery",
    "tried_before": "no",
}
