"""The delivery benchmark's mail server: answers SMTP on loopback, accepts every
message and records its Message-ID and arrival time.

It stands for the clinic's mail relay, which in production runs on another
machine. aiosmtpd (what the integration tests use, for its full protocol
handling and refusals) parses every command and data line in Python: about
1.1 ms of CPU per message on the benchmark machine, a tenth of all the CPU a
delivery takes there, spent on the same two cores as the worker it measures.
This responder only answers commands and finds where each message ends.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
END_OF_DATA = b"\r\n.\r\n"
REPLIES = {
    b"EHLO": b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
    b"DATA": b"354 End data with <CR><LF>.<CR><LF>\r\n",
    b"QUIT": b"221 Bye\r\n",
}


class Sink:
    """An SMTP server on its own thread and event loop; ``ids`` and ``times`` fill
    as messages arrive."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.times: list[float] = []  # both filled on the sink's one thread only
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.ready = threading.Event()

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1 (then in ``port``)."""
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _serve(self) -> None:
        # Everything on the sink's own thread: the caller's may run a loop of its own.
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _Session(self), "127.0.0.1", 0)
        )
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()
        server.close()

    def received(self, content: bytes) -> None:
        found = MESSAGE_ID.search(content.split(b"\r\n\r\n", 1)[0])
        self.ids.append(found.group(1).decode() if found else "")
        self.times.append(time.monotonic())


class _Session(asyncio.Protocol):
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.buffer = bytearray()
        self.in_data = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            if self.in_data:
                end = self.buffer.find(END_OF_DATA)
                if end < 0:
                    return
                self.sink.received(bytes(self.buffer[:end]))
                del self.buffer[: end + len(END_OF_DATA)]
                self.in_data = False
                self.transport.write(b"250 OK\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            verb = bytes(self.buffer[:4]).upper()
            # The data's first line break is the one that ends the DATA command.
            del self.buffer[: end + 2 if verb != b"DATA" else end]
            self.in_data = verb == b"DATA"
            self.transport.write(REPLIES.get(verb, b"250 OK\r\n"))
            if verb == b"QUIT":
                self.transport.close()
                self.transport = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
