from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, Team

from ...tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for an integration and print its key (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The integration, e.g. 'Order system'.")
        parser.add_argument("--teams", required=True, help="Comma-separated team slugs or names.")
        parser.add_argument("--write", action="store_true", help="Allow changes (default: read only).")
        parser.add_argument(
            "--role", choices=[Role.AGENT, Role.TEAM_LEAD], default=Role.TEAM_LEAD, help="Acts as this role."
        )

    def handle(self, *args, name, teams, write, role, **options):
        wanted = [t.strip() for t in teams.split(",") if t.strip()]
        found = []
        for item in wanted:
            team = Team.objects.filter(slug=item).first() or Team.objects.filter(name=item).first()
            if team is None:
                raise CommandError(f"No team {item!r}.")
            found.append(team)
        try:
            token, key = api_token_create(name=name, teams=found, can_write=write, role=role)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        scope = "read and write" if write else "read only"
        self.stderr.write(f"Token {token.name!r} ({scope}) for {', '.join(t.name for t in found)}. Key:")
        self.stdout.write(key)
