"""Authentication events, in one signal, for the audit trail to record.

``auth_event`` is sent with ``kind`` (an :class:`AuthEvent` value), ``user`` (the
account concerned, or ``None`` when a failed login names no known account),
``request`` (or ``None``) and ``detail`` (a dict of identifiers and counts, never
a password, a code or a secret). Django's own login, logout and login-failure
signals and django-axes' lockout signal are forwarded here too, so the audit
trail connects to this one signal for every authentication event.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal
from django.http import HttpRequest

auth_event = Signal()
"""Sent with ``kind``, ``user``, ``request``, ``detail``; the sender is this module's name."""


class AuthEvent(StrEnum):
    LOGGED_IN = "logged_in"  # the password step passed
    LOGGED_OUT = "logged_out"
    LOGIN_FAILED = "login_failed"  # detail: {"username": typed name}
    LOCKED_OUT = "locked_out"  # django-axes refused further attempts; detail: {"username"}
    MFA_ENROLLED = "mfa_enrolled"  # an authenticator app was confirmed
    MFA_VERIFIED = "mfa_verified"  # detail: {"method": "totp" | "recovery_code"}
    MFA_FAILED = "mfa_failed"  # detail: {"throttled": bool}
    RECOVERY_CODES = "recovery_codes"  # new recovery codes made (the old ones void)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
    SESSIONS_ENDED = "sessions_ended"  # detail: {"count": n, "reason": ...}
    SESSION_EXPIRED = "session_expired"  # logged out after the clinic's idle time


def send_auth_event(
    kind: AuthEvent,
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    request: HttpRequest | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Announce one authentication event (``user`` ``None`` for an unknown or anonymous one)."""
    account = user if user is not None and user.is_authenticated else None
    auth_event.send(sender=__name__, kind=kind, user=account, request=request, detail=detail or {})


def _logged_in(sender: object, request: HttpRequest, user: AbstractBaseUser, **kw: Any) -> None:
    send_auth_event(AuthEvent.LOGGED_IN, user=user, request=request)


def _logged_out(
    sender: object, request: HttpRequest, user: AbstractBaseUser | None, **kw: Any
) -> None:
    send_auth_event(AuthEvent.LOGGED_OUT, user=user, request=request)


def _failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    username = credentials.get("username", "")
    user = get_user_model().objects.filter(username=username).first()
    send_auth_event(
        AuthEvent.LOGIN_FAILED, user=user, request=request, detail={"username": username}
    )


def _locked_out(sender: object, request: HttpRequest, username: str | None, **kw: Any) -> None:
    user = get_user_model().objects.filter(username=username).first() if username else None
    send_auth_event(
        AuthEvent.LOCKED_OUT, user=user, request=request, detail={"username": username or ""}
    )


def forward_library_signals() -> None:
    """Connect Django's and django-axes' signals to :data:`auth_event` (once)."""
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="accounts-logged-in")
    user_logged_out.connect(_logged_out, dispatch_uid="accounts-logged-out")
    user_login_failed.connect(_failed, dispatch_uid="accounts-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="accounts-locked-out")
