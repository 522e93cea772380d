import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.api.conftest import api, read_token, write_token  # noqa: F401

TOLERANCE = 5 * 60  # seconds: an older timestamp is a replay


def genuine(secret: str, headers, body: bytes) -> bool:
    """What docs/api.md tells receivers to do (Standard Webhooks), written independently of ours."""
    msg_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE:
        return False
    mac = hmac.new(secret.encode(), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    expected = base64.b64encode(mac.digest()).decode()
    offered = [
        s.partition(",")[2] for s in headers.get("webhook-signature", "").split() if s.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that checks signatures and dedupes by event id."""

    def __init__(self, secret: str):
        self.secret = secret
        self.requests: list[dict] = []
        self.answers: list[int] = []  # status codes to give, in order; then 200
        self.delay = 0.0  # seconds to wait before answering
        self.on_request = None  # called with the headers while the sender waits for the answer
        self.seen_event_ids: set[str] = set()
        self.processed: list[dict] = []
        self.lock = threading.Lock()

    def handle(self, headers, body: bytes) -> int:
        valid = genuine(self.secret, headers, body)
        with self.lock:
            self.requests.append({"headers": dict(headers), "body": body, "valid": valid})
            code = self.answers.pop(0) if self.answers else 200
        if self.on_request:
            self.on_request(headers)
        if self.delay:
            time.sleep(self.delay)
        if code == 200 and valid:
            with self.lock:
                event_id = headers["webhook-id"]
                # A retry of a processed event is acknowledged, not redone.
                if event_id not in self.seen_event_ids:
                    self.seen_event_ids.add(event_id)
                    self.processed.append(json.loads(body))
        return code if valid else 401


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings):
    # Test receivers listen on 127.0.0.1, which is refused unless the operator lists it.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@contextlib.contextmanager
def serving(state: Receiver):
    """Serve `state` on a free port of 127.0.0.1 until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            code = state.handle(self.headers, body)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.port = server.server_address[1]
    state.url = f"http://127.0.0.1:{state.port}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver():
    with serving(Receiver(secret="s3cret-for-the-receiver")) as state:
        yield state
