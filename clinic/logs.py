"""Log filters: no secret of a link in any log line.

A patient's signed link and a practitioner's calendar feed carry their secret
in the URL path; whoever read a log line holding one could confirm or cancel
the patient's session, or read the practitioner's calendar. Django's request
and server loggers write the path of every refused or served request, so the
console handler passes each record through ``RedactLinkSecrets``.
"""

from __future__ import annotations

import logging
import re

# The token after /p/<action>/ and the file name of a private feed (…/feed/<token>.ics).
SECRETS = re.compile(r"(/p/[a-z_-]+/)[^/\s\"'?]+|(/calendar/feed/)[^/\s\"'?]+(\.ics)")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every link secret replaced by a marker."""
    return SECRETS.sub(lambda m: f"{m[1]}{REDACTED}" if m[1] else f"{m[2]}{REDACTED}{m[3]}", text)


class RedactLinkSecrets(logging.Filter):
    """Rewrites a record whose message names a link secret (the message, formatted once)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
