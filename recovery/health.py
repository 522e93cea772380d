"""Liveness and readiness for load balancers and orchestrators. No login: they reveal nothing."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The sweep's grace period counts from when this process began serving.
SERVING_SINCE = timezone.now()


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    from recovery.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _sweep_ok() -> tuple[bool, str | None]:
    from sla.heartbeat import sweep_health

    try:
        ok, last = sweep_health(serving_since=SERVING_SINCE)
    except Exception:
        return False, None  # the database is down: already reported
    return ok, last.isoformat() if last else None


@never_cache
@require_GET
def readyz(request):
    """The database and the broker answer and the SLA sweep ran recently; 503 names what fails."""
    database = _database_ok()
    # With the database down the heartbeat cannot be read: the sweep counts as not ready.
    sweep_ok, sweep_last = _sweep_ok() if database else (False, None)
    checks = {"database": database, "broker": _broker_ok(), "sla_sweep": sweep_ok}
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks, "sla_sweep_last_run": sweep_last},
        status=200 if ready else 503,
    )
