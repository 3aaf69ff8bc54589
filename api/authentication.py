"""``Authorization: Bearer <token>``: a staff member's personal token, nothing else.

No session cookie is read, so a browser's login can never act through the API (and CSRF
does not apply). A missing token is a 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.models import ApiToken
from api.services import find_token, note_use

KEYWORD = b"bearer"


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(gettext("Send one token: Authorization: Bearer <token>."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(gettext("The token is not valid.")) from None
        token = find_token(raw)
        if token is None:
            raise AuthenticationFailed(gettext("The token is not valid, or was revoked."))
        note_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
