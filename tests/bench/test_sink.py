"""The delivery benchmark's mail server counts what a real SMTP client sends."""

import smtplib
import time

import pytest

from bench.sink import Sink


@pytest.fixture
def sink():
    server = Sink()
    server.start()
    yield server
    server.stop()


def wait_for(sink, count):
    deadline = time.monotonic() + 5
    while len(sink.ids) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return sink.ids


def test_records_the_message_id_of_each_message_on_one_connection(sink):
    body = "Subject: s\r\nMessage-ID: <{}@clinic>\r\n\r\nline\r\n.starts with a dot\r\n\r\n."
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        for n in range(3):
            refused = client.sendmail("a@clinic", ["b@example.com"], body.format(n).encode())
            assert refused == {}
    assert wait_for(sink, 3) == ["<0@clinic>", "<1@clinic>", "<2@clinic>"]


def test_a_message_arriving_in_pieces_is_one_message(sink):
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        client.mail("a@clinic")
        client.rcpt("b@example.com")
        client.putcmd("data")
        assert client.getreply()[0] == 354
        for piece in (b"Message-ID: <split@clinic>\r\n\r\nfirst", b" half\r\n", b".\r", b"\n"):
            client.send(piece)
            time.sleep(0.05)
        assert client.getreply()[0] == 250
    assert wait_for(sink, 1) == ["<split@clinic>"]
