"""A mail backend for tests: Django's in-memory outbox, or a relay answering 451 while down."""

from __future__ import annotations

import smtplib

from django.core.mail.backends import locmem

state = {"down": False}


class RelayBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        if state["down"]:
            raise smtplib.SMTPResponseException(451, b"4.3.0 try again later")
        return super().send_messages(messages)
