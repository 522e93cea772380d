"""Reading raw mail (pure functions, no database)."""

import pytest

from inbound.parsing import (
    Attachment,
    MalformedMail,
    attachment_problem,
    envelope_read,
    html_to_text,
    mail_parse,
    reference_from_message_id,
    strip_quoted,
)
from tests.inbound.mail import compose


def test_html_loses_every_tag_script_and_style_but_keeps_the_words():
    html = (
        "<style>body{x:1}</style><h1>Order&nbsp;8812</h1><p>Two <i>payments</i>,<br>one order.</p>"
        "<script type='text/javascript'>steal()</script><pre>line 1\n  line 2</pre>"
    )

    assert html_to_text(html) == "Order 8812\n\nTwo payments,\none order.\n\nline 1\nline 2"


def test_an_unclosed_script_swallows_the_rest_rather_than_leaking_it():
    assert html_to_text("<p>Hello</p><script>alert(1)<p>more") == "Hello"


def test_escaped_markup_stays_visible_text_not_a_tag():
    # It is shown escaped on the page: the customer's words are kept, nothing runs.
    assert html_to_text("<p>I typed &lt;b&gt; into your form</p>") == "I typed <b> into your form"


def test_the_quoted_history_of_a_reply_is_dropped():
    text = "Yes, the blue one.\n\nOn Tue, 24 Nov 2026, Care <care@x.example> wrote:\n> Which one?\n> Thanks"

    assert strip_quoted(text) == "Yes, the blue one."


def test_a_reply_that_is_only_quotes_is_kept_whole():
    assert strip_quoted("> just the quote") == "> just the quote"


@pytest.mark.parametrize(
    "subject, reference",
    [
        ("Re: [R-000123] Wrong order", "R-000123"),
        ("about R-0012345 please", "R-0012345"),
        ("XR-000123 is not ours", ""),
        ("R-12 too short", ""),
    ],
)
def test_our_reference_is_found_in_a_subject(subject, reference):
    assert mail_parse(compose(subject=subject)).subject_reference == reference


def test_our_own_message_ids_carry_the_reference():
    assert reference_from_message_id("<R-000123.5f2a@recovery.example>") == "R-000123"
    assert reference_from_message_id("<5f2a.R-000123@example.com>") == ""


def test_in_reply_to_comes_before_references_without_repeats():
    raw = compose(headers={"In-Reply-To": "<b@x>", "References": "<a@x> <b@x>"})

    assert mail_parse(raw).thread_ids == ["<b@x>", "<a@x>"]


@pytest.mark.parametrize(
    "sender, headers, reason",
    [
        ("MAILER-DAEMON@mx.example.com", {}, "sent by mailer-daemon@mx.example.com"),
        ("jo@example.com", {"X-Autorespond": "1"}, "X-Autorespond header"),
        ("jo@example.com", {"Precedence": "Bulk"}, "Precedence: bulk"),
        ("jo@example.com", {"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    ],
)
def test_machine_sent_mail_is_recognised(sender, headers, reason):
    assert mail_parse(compose(sender=sender, headers=headers)).auto_reply == reason


def test_a_person_complaining_about_an_out_of_office_is_not_an_auto_reply():
    assert mail_parse(compose(subject="Your staff were out of office all day")).auto_reply == ""


def test_a_delivery_report_is_an_auto_reply():
    raw = (
        b"From: postmaster-robot@mx.example.com\r\nSubject: Delivery problem\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--b--\r\n"
    )

    assert mail_parse(raw).auto_reply == "a delivery or read report"


def test_bytes_that_are_not_mail_at_all_are_malformed():
    with pytest.raises(MalformedMail):
        mail_parse(b"\x00\x01 definitely not a message")


def test_headers_are_still_read_from_a_mail_too_broken_to_open():
    envelope = envelope_read(b"From: Jo <jo@example.com>\r\nSubject: Hi\r\nMessage-ID: <m@x>\r\n\r\n")

    assert (envelope.message_id, envelope.from_address, envelope.from_name) == (
        "<m@x>",
        "jo@example.com",
        "Jo",
    )


def test_a_webp_must_really_be_a_webp():
    real = Attachment("a.webp", "image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    fake = Attachment("b.webp", "image/webp", b"<svg onload=alert(1)>")

    assert attachment_problem(real, allowed_types=["image/webp"], max_bytes=100) == ""
    assert (
        attachment_problem(fake, allowed_types=["image/webp"], max_bytes=100)
        == "its content is not image/webp"
    )
