"""Creating a monitor: its token and signing secret are shown once, only the token's hash is kept."""

import secrets

from .models import Monitor
from .webhooks import monitor_token_hash


def monitor_create(*, name: str) -> tuple[Monitor, str]:
    token = "mon_" + secrets.token_urlsafe(32)
    monitor = Monitor.objects.create(
        name=name, token_hash=monitor_token_hash(token), secret=secrets.token_urlsafe(32)
    )
    return monitor, token
