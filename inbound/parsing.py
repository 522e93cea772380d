"""Reading a raw mail: who sent it, what it says, what came with it, and whether a machine wrote it.

Pure: no ORM, no settings. `mail_parse` raises `MalformedMail` with a reason an admin can act on.
"""

import hashlib
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Our case reference, as it appears in a subject: "[R-000123]" or plain "R-000123".
REFERENCE_RE = re.compile(r"\bR-(\d{6,})\b")
# A Message-ID we generate for our own mail carries the reference: "<R-000123.abc@host>".
REFERENCE_MESSAGE_ID_RE = re.compile(r"^<(R-\d{6,})[.@]")
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")

# Defects that mean the MIME structure itself is broken: the text we would show could be wrong.
STRUCTURAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.MissingHeaderBodySeparatorDefect,
    errors.FirstHeaderLineIsContinuationDefect,
    errors.InvalidMultipartContentTransferEncodingDefect,
)

PRECEDENCE_AUTOMATIC = {"bulk", "junk", "list", "auto_reply"}
AUTOMATIC_SENDERS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"}
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|autoreply|out[ -]of[ -](the[ -])?office|"
    r"away from (the )?office|on (annual )?leave|on vacation|vacation reply|abwesenheitsnotiz|"
    r"r[ée]ponse automatique|undeliverable|undelivered mail|delivery status notification)\b",
    re.IGNORECASE,
)
QUOTE_HEADER_RE = re.compile(r"^(On .{3,200} wrote:|-{2,}\s*Original Message\s*-{2,})\s*$", re.IGNORECASE)

# Magic numbers: a file whose bytes contradict its declared type is refused.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


class MalformedMail(Exception):
    """The message cannot be read reliably; it goes to quarantine with this reason."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    text: str
    thread_ids: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    auto_reply: str = ""  # why we think a machine sent it; empty for a person
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def subject_reference(self) -> str:
        match = REFERENCE_RE.search(self.subject)
        return f"R-{match.group(1)}" if match else ""


@dataclass(frozen=True)
class Envelope:
    """What we can still read from the headers of a mail we will not open."""

    message_id: str
    from_address: str = ""
    from_name: str = ""
    subject: str = ""


def clean(value: str, limit: int | None = None) -> str:
    # PostgreSQL text cannot hold NUL; a mail can.
    value = value.replace("\x00", "").strip()
    return value[:limit] if limit else value


def synthetic_message_id(raw: bytes) -> str:
    """A stable id for mail that has none, so the same bytes received twice are taken once."""
    return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def _parser() -> BytesParser:
    return BytesParser(policy=policy.default)


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the library cannot even decode reads as absent
        return ""
    return clean(str(value)) if value is not None else ""


def _message_id(msg: EmailMessage, raw: bytes) -> str:
    found = MESSAGE_ID_RE.search(_header(msg, "Message-ID"))
    return clean(found.group(0), 998) if found else synthetic_message_id(raw)


def _sender(msg: EmailMessage) -> tuple[str, str]:
    try:
        addresses = msg["From"].addresses if msg["From"] is not None else ()
    except Exception:
        addresses = ()
    if not addresses:
        return "", ""
    first = addresses[0]
    return clean(first.addr_spec.lower(), 320), clean(first.display_name, 200)


def envelope_read(raw: bytes) -> Envelope:
    """Headers only, best effort: for mail that is too big or too broken to open."""
    try:
        msg = _parser().parsebytes(raw, headersonly=True)
    except Exception:
        return Envelope(message_id=synthetic_message_id(raw))
    address, name = _sender(msg)
    return Envelope(
        message_id=_message_id(msg, raw),
        from_address=address,
        from_name=name,
        subject=clean(_header(msg, "Subject"), 998),
    )


def auto_reply_reason(msg: EmailMessage, from_address: str, subject: str) -> str:
    """Why this mail looks machine-sent (RFC 3834 and the usual vendor headers); empty if not."""
    auto_submitted = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(msg, "Precedence").lower()
    if precedence in PRECEDENCE_AUTOMATIC:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if msg.get(name) is not None:
            return f"{name} header"
    if msg.get_content_type() == "multipart/report":
        return "a delivery or read report"
    if from_address.split("@")[0] in AUTOMATIC_SENDERS:
        return f"sent by {from_address}"
    if AUTO_SUBJECT_RE.match(subject):
        return "an automatic-reply subject"
    return ""


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg", "math"}
    BLOCK = {
        *("p", "div", "br", "li", "tr", "table", "ul", "ol", "hr", "pre", "blockquote"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"),
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.in_pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
            self.in_pre += tag == "pre"
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")
            self.in_pre = max(0, self.in_pre - (tag == "pre"))

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data if self.in_pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text from HTML: tags, scripts and styles go; only the words stay."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: drops the quoted history ("On ... wrote:", "> ..." lines)."""
    kept = []
    for line in text.splitlines():
        if QUOTE_HEADER_RE.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    new = "\n".join(kept).strip()
    return new or text.strip()  # never lose what the customer wrote


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    return html_to_text(content) if body.get_content_type() == "text/html" else content


def _attachments(msg: EmailMessage) -> list[Attachment]:
    found = []
    for number, part in enumerate(msg.iter_attachments(), start=1):
        data = part.as_bytes() if part.is_multipart() else (part.get_payload(decode=True) or b"")
        filename = clean(part.get_filename() or f"attachment-{number}", 255)
        found.append(Attachment(filename=filename, content_type=part.get_content_type(), data=data))
    return found


def mail_parse(raw: bytes) -> ParsedMail:
    try:
        msg = _parser().parsebytes(raw)
    except Exception as exc:
        raise MalformedMail(f"Unreadable MIME: {exc}") from exc
    broken = sorted(
        {type(d).__name__ for part in msg.walk() for d in part.defects if isinstance(d, STRUCTURAL_DEFECTS)}
    )
    if broken:
        raise MalformedMail("Broken MIME structure: " + ", ".join(broken))
    from_address, from_name = _sender(msg)
    try:
        validate_email(from_address)
    except ValidationError:
        raise MalformedMail("No valid sender address in From.") from None
    if len(from_address) > 254:  # what a customer's e-mail field can hold (RFC 5321 path limit)
        raise MalformedMail("The sender address is longer than 254 characters.")
    subject = clean(_header(msg, "Subject"), 998)
    try:
        text = clean(_text(msg))
        attachments = _attachments(msg)
    except Exception as exc:  # undecodable parts: treat as broken rather than guess
        raise MalformedMail(f"Unreadable part: {type(exc).__name__}: {exc}") from exc
    thread_ids = MESSAGE_ID_RE.findall(_header(msg, "In-Reply-To"))
    thread_ids += [mid for mid in MESSAGE_ID_RE.findall(_header(msg, "References")) if mid not in thread_ids]
    return ParsedMail(
        message_id=_message_id(msg, raw),
        from_address=from_address,
        from_name=from_name,
        subject=subject,
        text=text,
        thread_ids=[clean(mid, 998) for mid in thread_ids],
        auto_reply=auto_reply_reason(msg, from_address, subject),
        attachments=attachments,
    )


def attachment_problem(attachment: Attachment, *, allowed_types: list[str], max_bytes: int) -> str:
    """Why this attachment is refused; empty when it may be stored."""
    if attachment.content_type not in allowed_types:
        return f"type {attachment.content_type} is not accepted"
    if len(attachment.data) > max_bytes:
        return f"{len(attachment.data)} bytes is over the {max_bytes}-byte limit"
    signatures = SIGNATURES.get(attachment.content_type)
    if signatures and not attachment.data.startswith(signatures):
        return f"its content is not {attachment.content_type}"
    if attachment.content_type == "image/webp" and attachment.data[8:12] != b"WEBP":
        return "its content is not image/webp"
    return ""


def reference_from_message_id(message_id: str) -> str:
    match = REFERENCE_MESSAGE_ID_RE.match(message_id)
    return match.group(1) if match else ""
