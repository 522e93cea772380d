"""The hourly purge's old address: the stored answers now live in the core's API (see
cases.api.idempotency). Kept so integrations.tasks runs unchanged until it imports from there."""

from cases.api.idempotency import idempotency_keys_purge

__all__ = ["idempotency_keys_purge"]
