"""One open SMTP connection per worker thread, and SMTP answers as outbox failures."""

from __future__ import annotations

import contextlib
import smtplib
import threading

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from reminders.channels import ChannelDown, PermanentFailure, TemporaryFailure

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
    """Send one e-mail; an SMTP answer becomes ChannelDown, TemporaryFailure or PermanentFailure.

    The rule (RFC 5321 codes, RFC 3463 enhanced codes): the relay itself is down
    (``ChannelDown``, counted by the channel's circuit breaker) when it cannot be
    reached or hangs up, times out, fails the greeting or our login, answers 4xx
    to MAIL FROM or DATA, or refuses every recipient with 421 or a 451 that is
    not about the recipient (451 4.3.x "mail system", 4.4.x "network": the fault
    relay's "451 4.3.0"). A recipient refused with another 4xx (450/452 mailbox
    busy or full, 451 4.7.x greylisting) is this message's temporary failure: the
    relay answered, so the channel works and the message's attempts count. Any
    5xx is permanent for the message.
    """
    try:
        _deliver_email(email)
    except smtplib.SMTPRecipientsRefused as error:
        _drop_connection()
        answers = list(error.recipients.values())
        codes = [code for code, _ in answers]
        if all(_relay_wide(code, text) for code, text in answers):
            raise ChannelDown(f"relay refused every recipient: {codes}") from None
        failure = TemporaryFailure if all(400 <= c < 500 for c in codes) else PermanentFailure
        raise failure(f"recipient refused: {codes}") from None
    except _SESSION_REFUSED as err:
        _drop_connection()
        raise ChannelDown(f"SMTP {err.smtp_code}: the relay refused the session") from None
    except smtplib.SMTPResponseException as error:
        _drop_connection()
        failure = ChannelDown if 400 <= error.smtp_code < 500 else PermanentFailure
        raise failure(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from None
    except OSError as error:  # includes every other SMTPException, refusals and time-outs
        _drop_connection()
        raise ChannelDown(f"mail server unavailable: {error}") from None


# The relay refused the session itself (greeting, HELO, our login): nothing can go.
_SESSION_REFUSED = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
)
# Enhanced status subjects about the recipient (RFC 3463): 4.1.x addressing,
# 4.2.x mailbox, 4.7.x security or policy (greylisting). Others are the relay's own.
_RECIPIENT_SUBJECTS = {"1", "2", "7"}


def _relay_wide(code: int, text: bytes | str) -> bool:
    """Whether a refused RCPT speaks for the relay rather than for that recipient."""
    if code == 421:
        return True
    if code != 451:
        return False
    answer = text.decode(errors="replace") if isinstance(text, bytes) else text
    enhanced = answer.split(" ", 1)[0].split(".")
    return not (len(enhanced) == 3 and enhanced[0] == "4" and enhanced[1] in _RECIPIENT_SUBJECTS)
