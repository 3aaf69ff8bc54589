"""A mail backend for tests: Django's in-memory outbox, or a relay answering 451 while down.

``state["rcpt"]`` maps an address to the (code, text) the relay answers to its RCPT,
as smtplib reports it (``SMTPRecipientsRefused``); ``state["raise"]`` is an
exception to raise for every message.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends import locmem

state = {"down": False, "refused": 0, "rcpt": {}, "raise": None}


class RelayBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        if state["raise"] is not None:
            raise state["raise"]
        if state["down"]:
            state["refused"] += 1
            raise smtplib.SMTPResponseException(451, b"4.3.0 try again later")
        for message in messages:
            refused = {to: state["rcpt"][to] for to in message.to if to in state["rcpt"]}
            if refused:
                state["refused"] += 1
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
