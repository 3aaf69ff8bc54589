"""The client's address for login throttling, trusting X-Forwarded-For only from own proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """``REMOTE_ADDR``; behind ``TRUSTED_PROXY_COUNT`` proxies, the address the outermost saw.

    Each proxy appends the address it received the request from to X-Forwarded-For,
    so with N trusted proxies the N-th entry from the right was written by the
    outermost one and names the real client; anything left of it came from the
    client and is not believed. With no trusted proxy the header is ignored, so a
    client cannot dodge the lockout by sending a new address with each guess.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
