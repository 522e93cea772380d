"""Static configuration (SLA policies, calendars, team settings) read once per process.

Each concern loads its configuration through `cached`, and marks it changed through `changed`
when a row of it is saved or deleted. Processes share a generation number per name in the
"config" cache (Redis in production, a file cache on the embedded default), so a change made in
the web process reaches every worker at its next read: one cache round trip instead of a handful
of queries on every write.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.db import transaction

_local = threading.local()


def _store() -> dict:
    if not hasattr(_local, "values"):
        _local.values = {}
    return _local.values


def _generation(name: str) -> int:
    return caches["config"].get_or_set(f"config:{name}", 1, timeout=None)


def cached(name: str, loader: Callable[[], Any]) -> Any:
    generation = _generation(name)
    held = _store().get(name)
    if held is not None and held[0] == generation:
        return held[1]
    value = loader()
    _store()[name] = (generation, value)
    return value


def changed(name: str) -> None:
    """Forget `name` here and everywhere, now and again once the change commits (a process that
    reloads in between must not keep what it read before the commit)."""
    _bump(name)
    transaction.on_commit(lambda: _bump(name))


def _bump(name: str) -> None:
    _store().pop(name, None)
    cache = caches["config"]
    try:
        cache.incr(f"config:{name}")
    except ValueError:  # not there yet: the next read starts it
        cache.set(f"config:{name}", 2, timeout=None)


def forget_all() -> None:
    """Drop what this thread holds (tests roll their transactions back behind the cache)."""
    _store().clear()
