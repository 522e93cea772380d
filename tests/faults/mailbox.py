"""A test-only e-mail backend for the worker processes: one JSON line per message sent, appended
to the file named by FAULTS_MAILBOX, so a test can count what really left, and how often."""

import json
import os

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["FAULTS_MAILBOX"]
        for message in email_messages:
            line = json.dumps({"to": list(message.to), "subject": message.subject}) + "\n"
            # One write per line with O_APPEND: lines from several processes never interleave.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        return len(email_messages)


def sent(path) -> list[tuple[str, str]]:
    """(address, subject) for every message the backend wrote."""
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return [(m["to"][0], m["subject"]) for m in map(json.loads, fh)]
