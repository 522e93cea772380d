import logging
import signal
import threading

from django.core.management.base import BaseCommand

from inbound.smtp import listener_build


class Command(BaseCommand):
    help = "Listen for mail over SMTP; each message opens a case or joins the case it answers."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args, host: str, port: int, **options):
        # aiosmtpd logs every connection at INFO; our own log line per mail is enough.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        listener = listener_build(host=host, port=port)
        listener.start()
        self.stdout.write(f"Mail intake listening on {host}:{port}", ending="\n")
        self.stdout.flush()
        try:
            while not stop.wait(1):
                pass
        finally:
            listener.stop()
        self.stdout.write("Mail intake stopped.")
