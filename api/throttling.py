"""Rate limits per token (``API_RATE_LIMIT`` a minute), shared by every web process."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Past the limit: 429 with ``Retry-After`` (api.problems). Requests without a valid
    token are refused before they count (authentication comes first)."""

    scope = "token"

    def __init__(self) -> None:
        self.cache = caches["api"]
        super().__init__()

    def get_rate(self) -> str:
        return f"{settings.API_RATE_LIMIT}/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return f"throttle:{token.prefix}"
