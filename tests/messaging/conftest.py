import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from sla.policies import policies_ensure_defaults
from tests import factories


@pytest.fixture(autouse=True)
def policies(db):
    return policies_ensure_defaults()


@pytest.fixture
def jo(db):
    return factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com", phone="")


@pytest.fixture
def mailed(agent, team, jo):
    return factories.open_case(actor=agent, team=team, customer=jo, channel="email")


class Gateway(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received = []
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "sla.notify.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_GATEWAY_TOKEN = "t0ken"
    yield Gateway.received
    server.shutdown()
