"""Our mail about a case: sent through a real SMTP server, its headers thread the answer back."""

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from cases.models import Case
from inbound import services
from inbound.replies import case_email_build
from tests import factories
from tests.inbound.mail import compose
from tests.inbound.servers import free_port

pytestmark = pytest.mark.django_db


class Capture:
    """An SMTP server's handler that keeps what it is given."""

    def __init__(self):
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def outgoing(settings):
    capture = Capture()
    controller = Controller(capture, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.DEFAULT_FROM_EMAIL = "Recovery care <care@recovery.example>"
    yield capture
    controller.stop()


def sent(capture) -> object:
    assert len(capture.received) == 1
    return message_from_bytes(capture.received[0], policy=policy.default)


@pytest.fixture
def mailed_case(team):
    raw = compose(subject="Table never arrived", message_id="<first@example.com>")
    return services.message_receive(raw=raw, received_via="smtp").message.case


def test_our_answer_names_the_case_and_threads_under_the_customers_mail(outgoing, mailed_case):
    case_email_build(case=mailed_case, body="Sorry: a new table leaves today.").send()

    mail = sent(outgoing)
    assert mail["Subject"] == f"Re: [{mailed_case.reference}] Table never arrived"
    assert mail["To"] == "jo@example.com" and mail["From"] == "Recovery care <care@recovery.example>"
    assert mail["Message-ID"].startswith(f"<{mailed_case.reference}.")
    assert mail["Message-ID"].endswith("@recovery.example>")
    assert mail["In-Reply-To"] == "<first@example.com>" and mail["References"] == "<first@example.com>"
    assert mail["Auto-Submitted"] is None
    assert mail.get_content().strip() == "Sorry: a new table leaves today."


def test_references_list_the_customers_mails_oldest_first(outgoing, mailed_case):
    services.message_receive(
        raw=compose(subject=f"Re: [{mailed_case.reference}]", message_id="<second@example.com>"),
        received_via="smtp",
    )

    case_email_build(case=mailed_case, body="Noted.").send()

    mail = sent(outgoing)
    assert mail["In-Reply-To"] == "<second@example.com>"
    assert mail["References"] == "<first@example.com> <second@example.com>"


def test_the_customers_answer_to_our_mail_lands_on_the_case_whatever_its_subject(outgoing, mailed_case):
    case_email_build(case=mailed_case, body="Which colour was it?").send()
    ours = sent(outgoing)["Message-ID"]

    receipt = services.message_receive(
        raw=compose(subject="colour", text="Blue.", headers={"In-Reply-To": ours, "References": ours}),
        received_via="imap",
    )

    assert receipt.status == "threaded" and receipt.message.case == mailed_case
    assert Case.objects.count() == 1


def test_an_automatic_message_says_so_and_is_never_taken_for_a_complaint(outgoing, mailed_case):
    case_email_build(case=mailed_case, body="We have your message.", automatic=True).send()
    raw = outgoing.received[0]

    mail = sent(outgoing)
    assert mail["Auto-Submitted"] == "auto-replied" and mail["X-Auto-Response-Suppress"] == "All"
    # If it ever comes back to the intake (a forward rule, a misrouted copy), it opens nothing.
    assert services.message_receive(raw=raw, received_via="smtp").status == "auto_reply"


def test_a_case_opened_by_phone_gets_its_reference_without_threading_headers(outgoing, agent, team):
    case = factories.open_case(actor=agent, team=team)

    case_email_build(case=case, body="Following up.", subject=f"About {case.reference}").send()

    mail = sent(outgoing)
    assert mail["Subject"] == f"About {case.reference}"
    assert mail["In-Reply-To"] is None and mail["References"] is None


def test_a_customer_without_an_address_cannot_be_mailed(agent, team):
    case = factories.open_case(actor=agent, team=team, customer=factories.CustomerFactory(email=""))

    with pytest.raises(ValueError, match="has no e-mail address"):
        case_email_build(case=case, body="Hello")
