"""The inbound SMTP listener, for sites that route mail straight to us instead of to a mailbox."""

import logging

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from .models import Via
from .services import message_receive

log = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted"
TRY_LATER = "451 4.3.0 Temporary failure, please try again later"


def _receive(raw: bytes):
    try:
        return message_receive(raw=raw, received_via=Via.SMTP)
    finally:
        # Worker threads come and go with the pool: never leave a connection open behind one.
        connections.close_all()


class IntakeHandler:
    """Answers 250 once the mail is committed, 451 otherwise: the sender keeps it and retries."""

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        try:
            receipt = await sync_to_async(_receive, thread_sensitive=False)(raw)
        except Exception:
            log.exception("Mail from %s not taken in; the sender will retry", envelope.mail_from)
            return TRY_LATER
        log.info("Mail %s: %s", receipt.message.message_id, receipt.status)
        return ACCEPTED


def listener_build(*, host: str, port: int) -> Controller:
    """An SMTP server on host:port in its own thread; `start()` it, `stop()` it."""
    # Bigger than the intake limit, so oversized mail reaches quarantine instead of bouncing.
    limit = max(settings.INBOUND_MAX_BYTES * 2, 32 * 1024 * 1024)
    return Controller(
        IntakeHandler(),
        hostname=host,
        port=port,
        data_size_limit=limit,
        enable_SMTPUTF8=True,
        ready_timeout=10,
    )
