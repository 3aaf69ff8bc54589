"""Who may call an API operation: the token's user's role, by the screens' own rules.

Each view names the rule (``clinic.permissions``) for reading and for writing; a
read-only token refuses every unsafe method. The write services ``require`` their rule
again, with the object, so a session of another practitioner is refused there too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import ApiToken
from api.problems import Problem


class TokenRules(BasePermission):
    """A token is needed (401 without one); then the view's rule for the method (403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False  # DRF answers 401: no credentials were given
        if not hasattr(view, (request.method or "").lower()):
            return True  # DRF answers 405
        if request.method in SAFE_METHODS:
            rule = getattr(view, "read_permission", None)
        else:
            if token.read_only:
                raise Problem(
                    403, "read_only_token", gettext("This token is read-only: it cannot write.")
                )
            rule = getattr(view, "write_permission", None)
        if rule is None:
            return False
        return bool(request.user.has_perm(rule))
