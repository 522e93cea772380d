"""Open the demo's two watch cases and say what to watch (run after seed_demo)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from sla.demo import PROMISE_MINUTES, seed_watch_cases


class Command(BaseCommand):
    help = "Open two demo cases whose SLA clocks go amber, red and escalate on their own."

    def handle(self, *args, **options):
        watch = seed_watch_cases()
        if watch is None:
            self.stdout.write("SLA demo: the last watch cases are still counting down (or no demo data).")
            return
        due = timezone.localtime(watch.promise_due).strftime("%H:%M:%S")
        self.stdout.write(self.style.SUCCESS("SLA demo: watch these cases (log in as lee or ava):"))
        self.stdout.write(
            f"  {watch.live.reference}  live chat, first response within 1 minute: "
            "amber at 30 s, red at 1 min, reassigned to the lead 2 min later"
        )
        self.stdout.write(
            f"  {watch.promised.reference}  callback promised in {PROMISE_MINUTES} min (by {due}): "
            "amber half-way, red when missed, the lead is told"
        )
