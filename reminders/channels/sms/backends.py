"""SMS backends: a development one writing to a file, and one HTTP gateway (SMS_BACKEND)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10


class SmsError(Exception):
    """``temporary``: try this message again later; ``gateway_down``: the gateway itself
    is not taking messages (counted by the channel's circuit breaker)."""

    def __init__(self, message: str, *, temporary: bool, gateway_down: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary or gateway_down
        self.gateway_down = gateway_down


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> str:
        """Send one SMS; return the provider's message id; raise SmsError."""


class FileSmsBackend:
    """Appends each SMS to a file a developer can read (SMS_FILE_PATH)."""

    def send(self, *, to: str, text: str, reference: str) -> str:
        path = settings.SMS_FILE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(f"--- {datetime.now().isoformat(timespec='seconds')} to {to} ({reference})\n")
            out.write(text.rstrip() + "\n")
        logger.info("sms written to file, reference %s", reference)
        return f"file-{reference}"


class HttpSmsBackend:
    """POSTs JSON {to, from, text, reference} with a bearer token; expects {"id": ...}.

    Time-outs, connection errors, 5xx and 429 (too many requests) answers mean the
    gateway is not taking messages (the channel's circuit breaker counts them);
    other 4xx are permanent for the message. The gateway answers per request
    (one recipient), so it has no per-recipient temporary refusal.
    """

    def send(self, *, to: str, text: str, reference: str) -> str:
        body = json.dumps(
            {"to": to, "from": settings.SMS_SENDER, "text": text, "reference": reference}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the configured gateway URL
            settings.SMS_GATEWAY_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            down = error.code >= 500 or error.code == 429
            raise SmsError(f"gateway answered {error.code}", temporary=down,
                           gateway_down=down) from None  # fmt: skip
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"gateway unreachable: {error}", temporary=True,
                           gateway_down=True) from None  # fmt: skip
        except ValueError:
            return reference
        return str(answer.get("id") or reference)


def get_backend() -> SmsBackend:
    return HttpSmsBackend() if settings.SMS_BACKEND == "http" else FileSmsBackend()
