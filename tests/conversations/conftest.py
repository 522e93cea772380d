import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from conversations.models import Scheme, SmsGateway
from conversations.monitors import monitor_create
from conversations.signatures import hmac_headers, twilio_signature
from sla.policies import policies_ensure_defaults

TWILIO_TOKEN = "twilio-auth-token"
HMAC_SECRET = "gateway-shared-secret"


@pytest.fixture(autouse=True)
def policies(db, team):
    return policies_ensure_defaults()


@pytest.fixture
def gateways(db):
    SmsGateway.objects.create(name="twilio", scheme=Scheme.TWILIO, secret=TWILIO_TOKEN)
    SmsGateway.objects.create(name="hmac", scheme=Scheme.HMAC, secret=HMAC_SECRET)


def twilio_post(client, params: dict, *, token: str = TWILIO_TOKEN, signature: str | None = None):
    url = "http://testserver/api/v1/intake/sms/twilio/"
    signed = twilio_signature(url=url, params={k: [v] for k, v in params.items()}, token=token)
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature if signature is not None else signed)


def hmac_post(
    client,
    payload,
    *,
    delivery: str | None = None,
    secret: str = HMAC_SECRET,
    now=None,
    path="/api/v1/intake/sms/hmac/",
    extra=None,
):
    body = json.dumps(payload).encode()
    headers = hmac_headers(
        secret=secret, body=body, delivery=delivery or uuid.uuid4().hex, now=now or timezone.now()
    )
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()} | (extra or {})
    return client.post(path, body, content_type="application/json", **meta)


@pytest.fixture
def monitor(db):
    """A monitor's row, and its token (shown once when it was made)."""
    row, token = monitor_create(name="Review watcher")
    return row, token


def mention_post(client, monitor, payload, *, delivery=None, now=None):
    row, token = monitor
    return hmac_post(
        client,
        payload,
        delivery=delivery,
        secret=row.secret,
        now=now,
        path="/api/v1/intake/mentions/",
        extra={"HTTP_AUTHORIZATION": f"Bearer {token}"},
    )


class Gateway(BaseHTTPRequestHandler):
    """A local SMS gateway: takes {"to", "text"} and answers with the id it gave the message."""

    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append(json.loads(body))
        answer = json.dumps({"sid": f"SM{len(Gateway.received):032d}"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway(settings):
    Gateway.received = []
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "sla.notify.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_GATEWAY_TOKEN = "t0ken"
    yield Gateway.received
    server.shutdown()
