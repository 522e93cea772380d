"""Celery tasks: thin wrappers, scheduled by beat from CELERY_BEAT_SCHEDULE in settings."""

import logging

from celery import shared_task
from django.conf import settings

from .imap import mailbox_poll

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def poll_imap() -> None:
    """Take in the intake mailbox's unseen mail (scheduled only when IMAP_HOST is set)."""
    if not settings.IMAP_HOST:
        return
    result = mailbox_poll(
        host=settings.IMAP_HOST,
        port=settings.IMAP_PORT,
        user=settings.IMAP_USER,
        password=settings.IMAP_PASSWORD,
        use_ssl=settings.IMAP_SSL,
        folder=settings.IMAP_FOLDER,
    )
    if result.taken or result.left_unseen:
        log.info("IMAP poll: %s, %s left unseen", dict(result.outcomes), result.left_unseen)
