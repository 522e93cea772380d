"""Who else has a case open: each open case page says "I am here" every few seconds; an entry
lives PRESENCE_TTL seconds, so a closed tab drops out on its own. Nothing is stored in the
database: presence is a hint for colleagues, not a lock (the case's version guards the writes)."""

from django.core.cache import caches
from django.utils import timezone

PRESENCE_TTL = 45  # seconds; the page beats every 15
MODES = {"viewing", "editing"}


def _key(case_pk: int) -> str:
    return f"case:{case_pk}"


def presence_touch(*, case_pk: int, user, mode: str) -> list[dict]:
    """Record that `user` has the case open (viewing or editing); return the others there."""
    cache, now = caches["presence"], timezone.now().timestamp()
    here = {
        uid: entry
        for uid, entry in (cache.get(_key(case_pk)) or {}).items()
        if now - entry["at"] < PRESENCE_TTL
    }
    name = user.get_full_name() or user.username
    here[str(user.pk)] = {"name": name, "mode": mode if mode in MODES else "viewing", "at": now}
    cache.set(_key(case_pk), here, PRESENCE_TTL)
    return sorted((e for uid, e in here.items() if uid != str(user.pk)), key=lambda e: e["name"])
