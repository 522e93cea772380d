import pytest

from desk.models import Macro
from messaging.models import MessageTemplate
from sla.policies import policies_ensure_defaults
from tests import factories
from tests.remedies.conftest import caps, coupon, kind  # noqa: F401


@pytest.fixture(autouse=True)
def policies(db):
    return policies_ensure_defaults()


@pytest.fixture
def apology_template(db):
    return MessageTemplate.objects.get_or_create(
        name="Apology and ownership",
        defaults={"kind": "apology", "subject": "We are sorry", "body": "Hello {first_name},\n\nI am sorry."},
    )[0]


@pytest.fixture
def jo(db):
    return factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com", phone="")


@pytest.fixture
def mailed(agent, team, jo):
    return factories.open_case(actor=agent, team=team, customer=jo, channel="email")


@pytest.fixture
def late_box(apology_template, coupon, caps):  # noqa: F811
    return Macro.objects.create(
        name="Late box",
        message_template=apology_template,
        remedy_kind=coupon,
        remedy_amount="10.00",
        promise_what="call you back today",
        promise_hours=4,
        note="Late box macro applied.",
    )
