"""The login-throttling authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before the password check, for requests from a browser.

    ``authenticate()`` without a request (a shell, a script, a test) has no client
    to count attempts for; django-axes would raise, so it is left to the password
    backend. Every web login (the login page, the admin) passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
