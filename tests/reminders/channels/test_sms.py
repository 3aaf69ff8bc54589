"""The HTTP SMS gateway backend against a real HTTP server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from reminders.channels.sms.backends import HttpSmsBackend, SmsError


class Gateway(BaseHTTPRequestHandler):
    status = 200
    received = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers["Authorization"], body))
        self.send_response(Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "gw-123"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    Gateway.received, Gateway.status = [], 200
    yield Gateway
    server.shutdown()


def test_sends_json_with_bearer_token_and_returns_provider_id(gateway):
    assert HttpSmsBackend().send(to="+447400123456", text="Hello", reference="outbox-7") == "gw-123"
    [(auth, body)] = gateway.received
    assert auth == "Bearer secret-token"
    assert body["to"] == "+447400123456"
    assert body["reference"] == "outbox-7"


@pytest.mark.parametrize(
    ("status", "temporary", "gateway_down"),
    [(500, True, True), (503, True, True), (429, True, True), (400, False, False),
     (401, False, False)],
)  # fmt: skip
def test_gateway_errors_are_classified(gateway, status, temporary, gateway_down):
    gateway.status = status
    with pytest.raises(SmsError) as error:
        HttpSmsBackend().send(to="+447400123456", text="Hello", reference="outbox-8")
    assert (error.value.temporary, error.value.gateway_down) == (temporary, gateway_down)


def test_unreachable_gateway_is_down(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    with pytest.raises(SmsError) as error:
        HttpSmsBackend().send(to="+447400123456", text="Hello", reference="outbox-9")
    assert (error.value.temporary, error.value.gateway_down) == (True, True)
