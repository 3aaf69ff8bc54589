"""The accounts app (label ``accounts``)."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = _("Staff sign-in")

    def ready(self) -> None:
        from clinic.accounts import events

        events.forward_library_signals()
        user_logged_in.connect(_start_session, dispatch_uid="accounts-start-session")
        user_logged_out.connect(_forget_session, dispatch_uid="accounts-forget-session")


def _start_session(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """A new login enters the person's list of sessions, and ends SESSION_COOKIE_AGE after it.

    The end is fixed at login: the idle-time bookkeeping writes to the session each
    minute, which would otherwise push Django's expiry on and on.
    """
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from clinic.accounts.middleware import (
        note_staff_language,
        record_session_activity,
        second_step_due,
    )

    now = timezone.now()
    request.session.set_expiry(now + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    if request.session.session_key is None:
        request.session.save()  # a login's new session has no key until saved
    record_session_activity(request, user, now)  # type: ignore[arg-type]
    second_step_due(request, user)  # type: ignore[arg-type]
    note_staff_language(request, user)


def _forget_session(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """A logged-out session leaves the person's list of sessions."""
    from clinic.accounts import services

    if user is not None and request.session.session_key:
        services.forget_session(
            session_key=request.session.session_key,
            actor=user,  # type: ignore[arg-type]
        )
