"""IMAP polling: take in a mailbox's unseen mail, marking each seen only once it is safely ours."""

import contextlib
import imaplib
import logging
import ssl
from collections import Counter
from dataclasses import dataclass, field

from .models import Via
from .services import TEMPORARY_ERRORS, message_receive

log = logging.getLogger(__name__)


@dataclass
class PollResult:
    outcomes: Counter = field(default_factory=Counter)  # status -> how many mails
    left_unseen: int = 0  # a temporary fault stopped the poll; they come back next time

    @property
    def taken(self) -> int:
        return sum(self.outcomes.values())


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _raw(fetched) -> bytes | None:
    for part in fetched or ():
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    return None  # expunged by another client between SEARCH and FETCH


def _connect(*, host: str, port: int, use_ssl: bool, timeout: float) -> imaplib.IMAP4:
    if use_ssl:
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def mailbox_poll(
    *,
    host: str,
    port: int,
    user: str,
    password: str,
    use_ssl: bool,
    folder: str = "INBOX",
    limit: int = 100,
    timeout: float = 30,
) -> PollResult:
    """Feed up to `limit` unseen mails to `message_receive`, oldest first.

    Fetching with BODY.PEEK leaves the mail unseen; \\Seen is set only after `message_receive`
    has committed, so a crash in between costs a second delivery (taken once by its Message-ID),
    never a lost mail.
    """
    result = PollResult()
    client = _connect(host=host, port=port, use_ssl=use_ssl, timeout=timeout)
    try:
        client.login(user, password)
        status, detail = client.select(_quoted(folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"Cannot open folder {folder!r}: {detail}")
        _, found = client.uid("SEARCH", None, "UNSEEN")
        uids = (found[0] or b"").split()
        batch = uids[:limit]
        for position, uid in enumerate(batch):
            _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = _raw(fetched)
            if raw is None:
                continue
            try:
                receipt = message_receive(raw=raw, received_via=Via.IMAP)
            except TEMPORARY_ERRORS:
                # The database or the configuration is down: the rest would fail the same way.
                log.exception(
                    "IMAP poll stopped; %s mail(s) stay unseen for the next poll", len(uids) - position
                )
                result.left_unseen = len(uids[:limit]) - position
                break
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            result.outcomes[receipt.status if receipt.created else "duplicate"] += 1
        client.close()
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return result
