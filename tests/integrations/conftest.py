import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.api.conftest import api, read_token, write_token  # noqa: F401


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that checks signatures and dedupes by event id."""

    def __init__(self, secret: str):
        self.secret = secret
        self.requests: list[dict] = []
        self.answers: list[int] = []  # status codes to give, in order; then 200
        self.seen_event_ids: set[str] = set()
        self.processed: list[dict] = []

    def handle(self, headers, body: bytes) -> int:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, headers.get("X-Recovery-Signature", ""))
        self.requests.append({"headers": dict(headers), "body": body, "valid": valid})
        code = self.answers.pop(0) if self.answers else 200
        if code == 200 and valid:
            event_id = headers["X-Recovery-Delivery"]
            if (
                event_id not in self.seen_event_ids
            ):  # a retry of a processed event is acknowledged, not redone
                self.seen_event_ids.add(event_id)
                self.processed.append(json.loads(body))
        return code if valid else 401


@pytest.fixture
def receiver():
    state = Receiver(secret="s3cret-for-the-receiver")

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
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()
