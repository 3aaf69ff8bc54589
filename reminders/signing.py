"""Standard Webhooks signatures (https://www.standardwebhooks.com), pure: no Django.

A delivery carries three headers: ``webhook-id`` (the delivery's id, the same on
every retry, so a receiver can drop repeats), ``webhook-timestamp`` (seconds since
the epoch, of this attempt) and ``webhook-signature``: ``v1,`` and the base64 of
HMAC-SHA256 over ``{id}.{timestamp}.{body}``, keyed with the secret's bytes. A
secret is ``whsec_`` and the base64 of 24 random bytes. While a rotated secret is
still honoured, a delivery is signed with both, space-separated (the spec's rule).

About twenty lines of ``hmac`` rather than the ``standardwebhooks`` package, which
pulls in an HTTP client and its generated API client; the spec's published
example is a test (tests/reminders/test_signing.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SECRET_BYTES = 24


class BadSecret(ValueError):
    """Not a ``whsec_`` secret with a base64 key."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The key bytes of a ``whsec_...`` secret."""
    if not secret.startswith(PREFIX):
        raise BadSecret("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except binascii.Error:
        raise BadSecret("a webhook secret's key is base64") from None
    if not key:
        raise BadSecret("a webhook secret's key is empty")
    return key


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of the body with ``secret``."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets_: list[str], delivery_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of a delivery, signed with each secret in ``secrets_``."""
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, delivery_id, timestamp, body) for s in secrets_),
    }


def verify(secret: str, received: dict[str, str], body: bytes) -> bool:
    """A receiver's check: one of the ``v1`` signatures is ``secret``'s (no clock check)."""
    expected = signature(secret, received["webhook-id"], int(received["webhook-timestamp"]), body)
    return any(
        hmac.compare_digest(expected, given) for given in received["webhook-signature"].split()
    )
