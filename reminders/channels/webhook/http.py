"""One webhook POST over plain ``http.client``: a short time-out, no redirects followed.

The address is resolved once and the connection made to that very address, after
checking it (``WEBHOOK_ALLOW_PRIVATE`` off, as in production: no loopback,
private, link-local or reserved address), so a name that resolves differently
between the check and the connection cannot reach the clinic's own network. TLS
still checks the certificate against the name in the URL.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

# The answer's body is not used; at most this much is read before the connection closes.
MAX_ANSWER_BYTES = 64 * 1024
# Answers worth trying again later (with the outbox's backoff); 5xx too.
TEMPORARY_STATUSES = {408, 425, 429}


class Refused(Exception):
    """The endpoint cannot take this delivery; ``temporary`` when trying again may help."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse(url: str) -> Target:
    """The URL's parts; only http and https with a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("the endpoint's address is not a valid URL", temporary=False) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("the endpoint's address is not an http(s) URL", temporary=False)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default, path)


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


def resolve(target: Target, *, allow_private: bool) -> str:
    """The address to connect to; refused when it is not public and that is not allowed."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except OSError as error:
        why = f"the endpoint's host name did not resolve ({error})"
        raise Refused(why, temporary=True) from None
    addresses = [str(entry[4][0]) for entry in found]
    if not allow_private and not all(is_public(a) for a in addresses):
        raise Refused("the endpoint's address is not on the public internet", temporary=False)
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to an address resolved and checked beforehand."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(_PinnedHTTP):
    tls = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> int:
    """POST ``body``; the answer's status when it is a 2xx, else ``Refused``.

    5xx, 408, 425, 429, time-outs and connection errors are temporary; any other
    answer (a redirect, which is not followed, or a 4xx) is final.
    """
    target = parse(url)
    address = resolve(target, allow_private=allow_private)
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, address, timeout)
    try:
        connection.request(
            "POST", target.path, body=body, headers={**headers, "Connection": "close"}
        )
        answer = connection.getresponse()
        answer.read(MAX_ANSWER_BYTES)
        status = answer.status
    except TimeoutError:
        raise Refused(f"no answer within {timeout:g} s", temporary=True) from None
    except (OSError, http.client.HTTPException) as error:
        raise Refused(f"the connection failed ({type(error).__name__})", temporary=True) from None
    finally:
        connection.close()
    if 200 <= status < 300:
        return status
    temporary = status >= 500 or status in TEMPORARY_STATUSES
    note = " (redirects are not followed)" if 300 <= status < 400 else ""
    raise Refused(f"the endpoint answered {status}{note}", temporary=temporary)
