"""A webhook receiver on loopback, for the webhook benchmark and the integration test.

Answers each POST on its own thread's event loop and records every request: its
``webhook-*`` headers, body, the status answered and when. ``fail_first`` makes it
answer ``fail_status`` to the first that many requests of each delivery id (the
``webhook-id`` header), then 200: a receiver that is down for a while, per message.
A minimal HTTP/1.1 parser (Content-Length bodies, one request per connection),
so the receiver costs little of the CPU the benchmark measures.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass

REASONS = {200: b"OK", 500: b"Internal Server Error", 503: b"Service Unavailable"}


@dataclass(frozen=True)
class Request:
    headers: dict[str, str]
    body: bytes
    status: int
    at: float

    @property
    def delivery_id(self) -> str:
        return self.headers.get("webhook-id", "")


class Receiver:
    """An HTTP server on its own thread; ``requests`` fills as requests arrive."""

    def __init__(self, *, fail_first: int = 0, fail_status: int = 500) -> None:
        self.fail_first, self.fail_status = fail_first, fail_status
        self.requests: list[Request] = []  # appended on the receiver's one thread only
        self.seen: Counter[str] = Counter()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the webhook receiver did not start")
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def accepted(self) -> list[Request]:
        return [r for r in self.requests if r.status == 200]

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _Connection(self), "127.0.0.1", 0, backlog=1024)
        )
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()
        server.close()

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        delivery_id = headers.get("webhook-id", "")
        self.seen[delivery_id] += 1
        status = self.fail_status if self.seen[delivery_id] <= self.fail_first else 200
        self.requests.append(Request(headers, body, status, time.monotonic()))
        return status


class _Connection(asyncio.Protocol):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.transport is None:
            return
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        status = self.receiver.answer(headers, body)
        reason = REASONS.get(status, b"Status")
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % (status, reason)
        )
        self.transport.close()
        self.transport = None
