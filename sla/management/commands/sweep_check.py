"""Exit 1 when the SLA sweep has not completed a run recently: a health check for beat.

Beat has no port to probe; what matters is that the sweep it ticks keeps completing, which
needs beat, a worker, the broker and the database all alive. The container's start period
plays the part of /readyz's grace after a start.
"""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from sla.heartbeat import sweep_health, sweep_stale_seconds


class Command(BaseCommand):
    help = "Exit 1 when the SLA sweep's last completed run is stale."

    def handle(self, *args, **options):
        ok, last = sweep_health(serving_since=datetime.min.replace(tzinfo=UTC))
        when = last.isoformat() if last else "never"
        if not ok:
            limit = sweep_stale_seconds()
            raise CommandError(f"The SLA sweep last completed a run {when}: older than {limit} s.")
        self.stdout.write(f"SLA sweep last completed a run {when}.")
