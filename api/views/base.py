"""What every API operation shares: token auth, the rules, limits, the audit context."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import run_once
from api.models import ApiToken
from api.problems import BodyTooLarge
from audit.context import audit_context


class ApiView(generics.GenericAPIView):
    """An API operation. ``read_permission`` guards GET, ``write_permission`` the writes.

    The planner's login middleware lets API addresses through (``login_not_required``):
    the token is the login here, checked by DRF before the view runs. Once it is known,
    the audit context names the token's user, so every change the request makes is
    recorded as theirs, as from a screen.
    """

    read_permission: str | None = None
    write_permission: str | None = None

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponseBase]:  # type: ignore[override]
        return login_not_required(super().as_view(**initkwargs))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with ExitStack() as stack:
            self._audit = stack
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if _content_length(request) > settings.API_MAX_BODY_BYTES:
            raise BodyTooLarge(settings.API_MAX_BODY_BYTES)
        super().initial(request, *args, **kwargs)
        token = request.auth
        if isinstance(token, ApiToken):
            self._audit.enter_context(
                audit_context(user=request.user.pk, actor="staff", api_token=token.prefix)
            )

    def once(self, handle: Callable[[], Response]) -> Response:
        """Run a write; with an ``Idempotency-Key``, at most once (api.idempotency)."""
        return run_once(self.request, handle, self.get_exception_handler_context())

    def body(self, serializer_class: type[Any]) -> dict[str, Any]:
        """The request's JSON body, validated (400 problem details when it is not)."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @property
    def actor(self) -> Any:
        """The token's user: the acting user every write service records."""
        return self.request.user


def _content_length(request: Request) -> int:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        return int(raw)
    except ValueError:
        return 0


def query(request: Request, serializer_class: type[Any]) -> dict[str, Any]:
    """The request's query parameters, validated (400 problem details when they are not)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def clinical(request: Request) -> bool:
    """Whether the token's user may see clinical data (the screens' rule)."""
    return bool(request.user.has_perm("patients.view_clinical"))
