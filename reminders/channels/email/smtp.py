"""One open SMTP connection per worker thread, and SMTP answers as outbox failures."""

from __future__ import annotations

import contextlib
import smtplib
import threading

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from reminders.channels import PermanentFailure, TemporaryFailure

_mail = threading.local()


def _mail_settings() -> tuple[object, ...]:
    return (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""),
            getattr(settings, "EMAIL_PORT", 0))  # fmt: skip


def smtp_connection() -> BaseEmailBackend:
    """One open connection per worker thread, re-used for every message it sends."""
    if getattr(_mail, "key", None) != _mail_settings():
        _drop_connection()
    if getattr(_mail, "connection", None) is None:
        connection = get_connection()
        connection.open()
        _mail.connection, _mail.key = connection, _mail_settings()
    return _mail.connection


def _drop_connection() -> None:
    connection = getattr(_mail, "connection", None)
    _mail.connection = _mail.key = None
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.close()


def _deliver_email(email: EmailMultiAlternatives) -> None:
    """Send on the thread's open connection; one fresh try if the server had hung up."""
    try:
        email.connection = smtp_connection()
        email.send()
    except smtplib.SMTPServerDisconnected:
        _drop_connection()
        email.connection = smtp_connection()
        email.send()


def deliver(email: EmailMultiAlternatives) -> None:
    """Send one e-mail; 4xx answers and an unreachable server are temporary, 5xx permanent."""
    try:
        _deliver_email(email)
    except smtplib.SMTPResponseException as error:
        _drop_connection()
        failure = TemporaryFailure if 400 <= error.smtp_code < 500 else PermanentFailure
        raise failure(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from None
    except smtplib.SMTPRecipientsRefused as error:
        _drop_connection()
        codes = [code for code, _ in error.recipients.values()]
        failure = TemporaryFailure if all(400 <= c < 500 for c in codes) else PermanentFailure
        raise failure(f"recipient refused: {codes}") from None
    except OSError as error:  # includes every other SMTPException, refusals and time-outs
        _drop_connection()
        raise TemporaryFailure(f"mail server unavailable: {error}") from None
