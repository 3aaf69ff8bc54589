"""The accounts app (label ``accounts``)."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.http import HttpRequest


class AccountsConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Staff sign-in"

    def ready(self) -> None:
        from clinic.accounts import events

        events.forward_library_signals()
        user_logged_out.connect(_forget_session, dispatch_uid="accounts-forget-session")


def _forget_session(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """A logged-out session leaves the person's list of sessions."""
    from clinic.accounts import services

    if user is not None and request.session.session_key:
        services.forget_session(
            session_key=request.session.session_key,
            actor=user,  # type: ignore[arg-type]
        )
