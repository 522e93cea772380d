"""The customer's personal link to their case's status page.

The URL carries the link row's id signed with the secret key (django.core.signing): it cannot be
guessed or edited into another case's link, and it needs no lookup table of secrets. The row is
what makes it revocable. A link works while the case is open and for a period after it closes.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.events import record_event
from cases.models import Case
from cases.permissions import require_work

from .models import StatusLink

SALT = "portal.status-link"
DEFAULT_DAYS_AFTER_CLOSE = 30


def days_after_close() -> int:
    return int(getattr(settings, "PORTAL_LINK_DAYS_AFTER_CLOSE", DEFAULT_DAYS_AFTER_CLOSE))


def link_token(link: StatusLink) -> str:
    # No timestamp in it: every message carries the very same link; expiry is the case's.
    return signing.Signer(salt=SALT).sign_object(link.pk)


def link_url(link: StatusLink) -> str:
    return settings.SITE_URL + reverse("portal:status", args=[link_token(link)])


def link_for(case: Case) -> StatusLink:
    """The case's live link, made on first use; every later message carries the same one."""
    link = StatusLink.objects.filter(case=case, revoked_at__isnull=True).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():  # a savepoint: two messages at once both want the first link
            return StatusLink.objects.create(case=case, created_at=timezone.now())
    except IntegrityError:
        return StatusLink.objects.get(case=case, revoked_at__isnull=True)


FOOTER = "Where your case stands, and to answer us: "


def link_footer(case: Case, channel: str) -> str:
    """The line every message to the customer ends with (registered with messaging)."""
    return FOOTER + link_url(link_for(case))


def without_footer(body: str) -> str:
    """A message as the status page shows it: the link to the page itself is noise there."""
    return body.split("\n\n" + FOOTER)[0]


def link_open(token: str, *, now=None) -> StatusLink | None:
    """The live link behind a token; None for a tampered, revoked or expired one (all alike)."""
    try:
        pk = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    link = (
        StatusLink.objects.select_related("case__customer", "case__owner", "case__team").filter(pk=pk).first()
    )
    if link is None or link.revoked_at is not None:
        return None
    closed_at = link.case.closed_at
    if closed_at is not None and (now or timezone.now()) > closed_at + timedelta(days=days_after_close()):
        return None
    return link


def link_revoke(*, case: Case, actor) -> StatusLink | None:
    """Kill the case's live link (it was forwarded, say); the next message carries a new one."""
    require_work(actor, case)
    with transaction.atomic():
        link = StatusLink.objects.select_for_update().filter(case=case, revoked_at__isnull=True).first()
        if link is None:
            return None
        link.revoked_at, link.revoked_by = timezone.now(), actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        record_event(case=case, kind="portal.link.revoked", actor=actor, data={"link": link.pk})
    return link
