"""Demo data: teams, people with printed passwords, customers and ~100 cases over every stage.

Idempotent: run it twice and nothing is duplicated (people and reference data are matched by
name; cases are only generated when the demo has none yet).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from cases import demo


class Command(BaseCommand):
    help = "Create demo teams, users, customers and cases (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable data.")

    def handle(self, *args, cases: int, seed: int, **options):
        with transaction.atomic():
            report = demo.seed(case_count=cases, random_seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {report.summary}"))
        self.stdout.write("Log in at http://127.0.0.1:8000 with one of:")
        for username, password, role in report.accounts:
            self.stdout.write(f"  {username:<10} {password:<18} {role}")
