"""Static configuration (SLA policies, calendars, team settings) read once per process.

Each concern loads its configuration through `cached`, and marks it changed through `changed`
when a row of it is saved or deleted. Processes share one generation number ("epoch") in the
"config" cache (Redis in production, a file cache on the embedded default): a change made in
the web process reaches every worker within CONFIG_RECHECK_SECONDS, and this process at once.
Reading the epoch at most that often keeps a write from paying a cache round trip per lookup.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_values: dict[str, tuple[int, Any]] = {}
_epoch = {"value": 0, "read_at": float("-inf")}


def _key() -> str:
    # One epoch per database: deployments (or test runs) sharing a Redis do not disturb each other.
    return f"config:epoch:{connection.settings_dict['NAME']}"


def _current_epoch() -> int:
    now = time.monotonic()
    if now - _epoch["read_at"] >= settings.CONFIG_RECHECK_SECONDS:
        try:
            _epoch["value"] = caches["config"].get_or_set(_key(), 1, timeout=None)
        except Exception:
            # The shared cache is down (a Redis outage): nobody can tell us about a change, so
            # read the configuration from the database each time until it is back.
            logger.warning("Configuration cache unreachable; reading configuration from the database.")
            _epoch["value"] = -time.monotonic_ns()
        _epoch["read_at"] = now
    return _epoch["value"]


def cached(name: str, loader: Callable[[], Any]) -> Any:
    epoch = _current_epoch()
    held = _values.get(name)
    if held is not None and held[0] == epoch:
        return held[1]
    value = loader()
    with _lock:
        _values[name] = (epoch, value)
    return value


def changed(name: str) -> None:
    """Forget `name` here and everywhere, now and again once the change commits (a process that
    reloads in between must not keep what it read before the commit)."""
    _bump(name)
    transaction.on_commit(lambda: _bump(name))


def _bump(name: str) -> None:
    with _lock:
        _values.pop(name, None)
        _epoch["read_at"] = float("-inf")  # read the new epoch at the next lookup
    cache = caches["config"]
    try:
        try:
            cache.incr(_key())
        except ValueError:  # not there yet: the next read starts it
            cache.set(_key(), 2, timeout=None)
    except Exception:  # the cache is down: every process reads from the database meanwhile
        logger.warning("Configuration cache unreachable; the change reaches others when it is back.")


def forget_all() -> None:
    """Drop what this process holds (tests roll their transactions back behind the cache)."""
    with _lock:
        _values.clear()
        _epoch["read_at"] = float("-inf")
