"""`message_receive`: what becomes of each mail that reaches us."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Team
from cases import services as case_services
from cases.models import Case, CaseEvent, Customer
from cases.workflow import Action
from inbound import services
from inbound.models import InboundAttachment, InboundMessage
from tests import factories
from tests.inbound.mail import compose

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def receive(raw: bytes, via: str = "smtp") -> services.Receipt:
    return services.message_receive(raw=raw, received_via=via)


def test_it_opens_a_case_for_a_new_complaint(team):
    # Given a complaint from someone we have never heard of
    raw = compose(subject="Table never arrived", text="Ordered on Monday, still nothing.")

    # When it arrives
    receipt = receive(raw)

    # Then a case is open for them in the intake team, unassigned, from the e-mail channel
    case = receipt.message.case
    assert receipt.created and receipt.status == "case_opened"
    assert case.channel == "email" and case.team == team and case.owner is None
    assert case.summary == "Table never arrived"
    assert case.description == "Ordered on Monday, still nothing."
    assert case.product.name == "E-mail enquiry"
    assert (case.journey_stage, case.severity, case.status) == ("after_sales", "medium", "new")
    assert case.customer.email == "jo@example.com" and case.customer.name == "Jo Bloggs"
    assert case.events.get(kind="case.opened").actor is None
    assert receipt.message.raw.read() == raw


def test_it_files_the_case_under_the_customer_we_already_know(team):
    known = factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com")

    receipt = receive(compose(sender="JO <Jo@Example.com>"))

    assert receipt.message.case.customer == known
    assert Customer.objects.count() == 1


def test_the_intake_team_and_product_come_from_settings(team, other_team, settings):
    settings.INBOUND_TEAM = other_team.slug
    settings.INBOUND_PRODUCT = "Home delivery"

    case = receive(compose()).message.case

    assert case.team == other_team and case.product.name == "Home delivery"


def test_mail_waits_for_a_team_to_exist_instead_of_being_lost(db):
    # Given no team at all (a fresh install): a temporary fault, the sender must keep the mail
    assert not Team.objects.exists()

    with pytest.raises(ImproperlyConfigured):
        receive(compose())

    assert not InboundMessage.objects.exists() and not Case.objects.exists()


def test_a_reply_with_our_reference_in_the_subject_lands_on_its_case(case, team):
    # Given an open case and the customer's answer quoting its reference
    raw = compose(
        subject=f"Re: [{case.reference}] Wrong order delivered",
        text="It was the blue one.\n\nOn Mon, 23 Nov 2026 at 10:00, Care wrote:\n> Which box was it?\n",
    )

    receipt = receive(raw)

    # Then no new case: the message is on the case's timeline, without the quoted history
    assert receipt.status == "threaded" and receipt.message.case == case
    assert Case.objects.count() == 1
    event = case.events.get(kind="case.customer_message")
    assert event.actor is None
    assert event.data["text"] == "It was the blue one."
    assert event.data["from"] == "jo@example.com"
    assert event.data["subject"] == f"Re: [{case.reference}] Wrong order delivered"


def test_a_plain_reference_without_brackets_threads_too(case, team):
    receipt = receive(compose(subject=f"about {case.reference} again"))

    assert receipt.message.case == case and Case.objects.count() == 1


def test_a_reply_is_threaded_by_in_reply_to_when_the_subject_lost_the_reference(team):
    # Given a case opened by mail
    first = receive(compose(subject="Broken lamp", message_id="<first@example.com>")).message.case

    # When the customer answers their own thread with a new subject
    receipt = receive(
        compose(
            subject="one more thing",
            text="Also the bulb.",
            headers={"In-Reply-To": "<first@example.com>", "References": "<first@example.com>"},
        )
    )

    # Then it joins the same case
    assert receipt.message.case == first
    assert first.events.get(kind="case.customer_message").data["text"] == "Also the bulb."


def test_a_reply_to_our_own_message_id_threads_by_the_reference_it_carries(case, team):
    receipt = receive(
        compose(
            subject="Re: your complaint", headers={"References": f"<{case.reference}.a1b2@recovery.example>"}
        )
    )

    assert receipt.message.case == case


def test_an_unknown_reference_opens_a_new_case(case, team):
    receipt = receive(compose(subject="Re: [R-999999] lost parcel"))

    assert receipt.status == "case_opened" and receipt.message.case != case


def test_a_reply_ends_the_wait_on_the_customer(case, agent):
    # Given a case waiting on the customer
    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    case_services.case_transition(
        case=case, action=Action.WAIT_ON_CUSTOMER, actor=agent, data={"reason": "Need a photo."}
    )

    # When the customer replies
    receive(compose(subject=f"Re: [{case.reference}] photo", text="Here it is."))

    # Then the wait is over, and the system recorded it after the message
    case.refresh_from_db()
    assert case.status == "responded"
    kinds = list(case.events.values_list("kind", "actor", "data__action"))
    assert kinds[-2:] == [
        ("case.customer_message", None, None),
        ("case.transitioned", None, "customer_replied"),
    ]


def test_a_reply_leaves_a_case_that_is_not_waiting_where_it_is(case, team):
    receive(compose(subject=f"Re: [{case.reference}]"))

    case.refresh_from_db()
    assert case.status == "new"


@pytest.mark.parametrize(
    "headers, subject",
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: my order"),
        ({"Auto-Submitted": "auto-generated; owner-email=x@example.com"}, "Notice"),
        ({"Precedence": "bulk"}, "Newsletter"),
        ({"Precedence": "junk"}, "Offer"),
        ({"Precedence": "list"}, "Digest"),
        ({"X-Autoreply": "yes"}, "Thanks"),
        ({}, "Out of Office: Re: my order"),
        ({}, "Automatic reply: my order"),
    ],
)
def test_auto_replies_are_recorded_but_never_open_a_case(team, headers, subject):
    receipt = receive(compose(subject=subject, headers=headers))

    assert receipt.status == "auto_reply" and receipt.message.case is None
    assert receipt.message.reason.startswith("Auto-reply")
    assert not Case.objects.exists()


def test_our_own_mail_coming_back_never_opens_a_case(team, settings):
    settings.DEFAULT_FROM_EMAIL = "Recovery care <care@recovery.example>"

    receipt = receive(compose(sender="care@recovery.example", subject="Your case R-999999"))

    assert receipt.status == "auto_reply" and "our own address" in receipt.message.reason
    assert not Case.objects.exists()


def test_auto_submitted_no_is_a_person_writing(team):
    receipt = receive(compose(headers={"Auto-Submitted": "no"}))

    assert receipt.status == "case_opened"


def test_an_out_of_office_answer_to_a_case_neither_adds_to_it_nor_ends_its_wait(case, agent):
    # Given a case waiting on the customer
    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    case_services.case_transition(
        case=case, action=Action.WAIT_ON_CUSTOMER, actor=agent, data={"reason": "x"}
    )
    events_before = case.events.count()

    # When their mailbox answers automatically
    receipt = receive(
        compose(subject=f"Out of office: Re: [{case.reference}]", headers={"Auto-Submitted": "auto-replied"})
    )

    # Then it is noted against the case, and nothing else happens
    case.refresh_from_db()
    assert receipt.status == "auto_reply" and receipt.message.case == case
    assert case.status == "waiting_on_customer" and case.events.count() == events_before


def test_the_same_message_id_twice_is_taken_once(team):
    raw = compose(message_id="<same@example.com>")

    first = receive(raw)
    second = receive(raw, via="imap")

    assert first.created and not second.created
    assert second.message == first.message
    assert InboundMessage.objects.count() == 1 and Case.objects.count() == 1


def test_mail_without_a_message_id_is_still_taken_once(team):
    raw = compose().replace(b"Message-ID:", b"X-Old-ID:")

    receive(raw)
    receive(raw)

    assert Case.objects.count() == 1
    assert InboundMessage.objects.get().message_id.endswith("@no-message-id.invalid>")


def test_malformed_mime_is_quarantined_with_its_reason_and_kept(team):
    # Given a multipart message whose boundary never appears
    raw = (
        b"From: jo@example.com\r\nSubject: Help\r\nMessage-ID: <broken@example.com>\r\n"
        b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\nno parts at all\r\n'
    )

    receipt = receive(raw)

    assert receipt.status == "quarantined" and receipt.message.case is None
    assert "Broken MIME structure" in receipt.message.reason
    assert receipt.message.message_id == "<broken@example.com>" and receipt.message.subject == "Help"
    assert receipt.message.raw.read() == raw
    assert not Case.objects.exists()


def test_mail_with_no_usable_sender_is_quarantined(team):
    receipt = receive(compose(sender="not an address"))

    assert receipt.status == "quarantined" and "sender" in receipt.message.reason


def test_a_sender_address_too_long_to_keep_is_quarantined(team):
    receipt = receive(compose(sender=f"{'a' * 60}@{'b' * 60}.{'c' * 60}.{'d' * 60}.example.com"))

    assert receipt.status == "quarantined" and "254" in receipt.message.reason


def test_an_oversized_message_is_quarantined_not_dropped(team, settings):
    settings.INBOUND_MAX_BYTES = 2000
    raw = compose(text="x" * 3000, message_id="<big@example.com>")

    receipt = receive(raw)

    assert receipt.status == "quarantined" and "Too large" in receipt.message.reason
    assert receipt.message.size == len(raw) and receipt.message.message_id == "<big@example.com>"
    assert receipt.message.raw.size == len(raw)
    assert not Case.objects.exists()


def test_a_mail_that_fails_unexpectedly_is_quarantined_rather_than_retried_forever(team, monkeypatch):
    def explode(mail):
        raise ValueError("unexpected")

    monkeypatch.setattr(services, "_open_case", explode)

    receipt = receive(compose())

    assert receipt.status == "quarantined"
    assert receipt.message.reason == "Could not be processed: ValueError: unexpected"
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_html_only_mail_becomes_plain_text_with_no_script_left(team):
    html = (
        "<html><head><style>p{color:red}</style><script>alert('head')</script></head><body>"
        "<p>My <b>order</b> &amp; invoice</p><script>document.cookie</script>"
        "<ul><li>late</li><li>broken</li></ul><img src=x onerror=alert(1)></body></html>"
    )

    case = receive(compose(text=None, html=html)).message.case

    assert case.description == "My order & invoice\n\n- late\n\n- broken"
    for leftover in ("<", "script", "alert", "cookie", "color"):
        assert leftover not in case.description


def test_the_text_part_is_preferred_over_html(team):
    case = receive(compose(text="Plain words.", html="<p>Fancy words.</p>")).message.case

    assert case.description == "Plain words."


def test_allowed_attachments_are_stored_and_others_refused_and_noted(team, settings):
    settings.INBOUND_ATTACHMENT_MAX_BYTES = 100
    raw = compose(
        attachments=(
            ("receipt.pdf", "application/pdf", PDF),
            ("photo.png", "image/png", PNG),
            ("setup.exe", "application/octet-stream", b"MZ\x90\x00"),
            ("fake.pdf", "application/pdf", b"MZ not a pdf"),
            ("huge.png", "image/png", PNG + b"\x00" * 200),
        )
    )

    receipt = receive(raw)

    rows = {a.filename: a for a in InboundAttachment.objects.filter(message=receipt.message)}
    assert rows["receipt.pdf"].file.read() == PDF and rows["photo.png"].stored
    assert rows["setup.exe"].refused_reason == "type application/octet-stream is not accepted"
    assert rows["fake.pdf"].refused_reason == "its content is not application/pdf"
    assert "over the 100-byte limit" in rows["huge.png"].refused_reason
    assert not any(rows[name].stored for name in ("setup.exe", "fake.pdf", "huge.png"))
    event = receipt.message.case.events.get(kind="case.attachments.received")
    assert event.data["attachments"] == ["receipt.pdf", "photo.png"]
    assert "setup.exe: type application/octet-stream is not accepted" in event.data["refused"]


def test_a_mail_with_too_many_files_keeps_the_first_twenty(team):
    files = tuple((f"page-{n}.pdf", "application/pdf", PDF) for n in range(1, 23))

    receipt = receive(compose(attachments=files))

    attachments = list(receipt.message.attachments.all())
    assert sum(a.stored for a in attachments) == 20
    assert [a.refused_reason for a in attachments[20:]] == ["more than 20 files in one mail"] * 2


def test_an_attachment_name_cannot_escape_the_media_folder(team, media_root):
    receipt = receive(compose(attachments=(("../../etc/passwd.pdf", "application/pdf", PDF),)))

    stored = receipt.message.attachments.get()
    assert stored.stored and ".." not in stored.file.name
    assert stored.file.path.startswith(str(media_root))


def test_encoded_subjects_and_legacy_charsets_read_as_the_customer_wrote_them(team):
    raw = (
        "From: =?iso-8859-1?q?Jos=E9_M=FCller?= <jose@example.com>\r\n"
        "Subject: =?utf-8?b?w4dhIG4nYSBwYXMgbWFyY2jDqQ==?=\r\n"
        "Message-ID: <latin@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Le caf=E9 =E9tait froid.\r\n"
    ).encode("ascii")

    case = receive(raw).message.case

    assert case.summary == "Ça n'a pas marché"
    assert case.description == "Le café était froid."
    assert case.customer.name == "José Müller"
