"""Run the web server, the Celery worker with beat and the SMTP intake together; Ctrl-C stops all."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recovery.supervisor import AlreadyRunning, Supervisor, children


class Command(BaseCommand):
    help = "Serve the app with its Celery worker and beat and the SMTP intake (what `make run` starts)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--smtp-port", type=int, default=2525)
        parser.add_argument(
            "--grace", type=float, default=3.0, help="Seconds to wait after Ctrl-C before killing."
        )

    def handle(self, *args, host: str, port: int, smtp_port: int, grace: float, **options):
        var_dir = Path(settings.VAR_DIR)
        var_dir.mkdir(parents=True, exist_ok=True)
        kids = children(host=host, port=port, smtp_port=smtp_port, var_dir=var_dir)
        supervisor = Supervisor(kids, var_dir=var_dir, grace=grace, out=self.stdout)
        self.stdout.write(f"Open http://{host}:{port} and log in; mail intake on smtp://{host}:{smtp_port}.")
        self.stdout.write("Ctrl-C stops the web server, the worker and beat, and the mail intake.")
        try:
            code = supervisor.run()
        except AlreadyRunning as exc:
            raise CommandError(str(exc)) from None
        if code:
            raise CommandError("A process stopped on its own; everything else was stopped too.")
