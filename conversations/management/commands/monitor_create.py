from django.core.management.base import BaseCommand

from conversations.monitors import monitor_create


class Command(BaseCommand):
    help = "Create a social or review monitor and print its token and signing secret (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        monitor, token = monitor_create(name=name)
        self.stdout.write(f"token:  {token}\nsecret: {monitor.secret}\n")
