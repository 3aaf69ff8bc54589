"""The webhook channel (issue #18): a signed JSON POST to a manager's endpoint.

An outbox row on this channel names its endpoint (``OutboxMessage.endpoint``);
what it says is its ``WebhookDelivery`` (event, payload, delivery id), written
with the change that caused it. Signed at each attempt in the Standard Webhooks
form (``reminders.signing``): the delivery id stays, the timestamp is the
attempt's. Never a patient's channel: no patient chooses it.

A failing endpoint is one receiver's trouble, not the channel's: every failure
is the message's own (``TemporaryFailure``, retried with the outbox's backoff up
to the clinic's attempts), so the circuit breaker never pauses webhooks for all
endpoints because of one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from patients.models import Patient
from reminders import signing
from reminders.channels import PermanentFailure, TemporaryFailure
from reminders.channels.webhook import http
from reminders.models import Channel, OutboxMessage

USER_AGENT = "clinic-planner-webhooks/1"


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: dict[str, str]


def body_of(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookChannel:
    key = Channel.WEBHOOK.value
    label = Channel.WEBHOOK.label
    short_texts = False

    def chosen(self, patient: Patient) -> bool:
        return False

    def consented(self, patient: Patient) -> bool:
        return False

    def address(self, patient: Patient) -> str | None:
        return None

    def withdraw_consent(self, patient: Patient) -> None:
        return None

    def render(self, message: OutboxMessage, *, now: datetime | None = None) -> WebhookRequest:
        """The signed request; the send-time check has made sure the endpoint is there."""
        endpoint, delivery = message.endpoint, message.webhook
        assert endpoint is not None  # validity refuses a delivery without its endpoint
        now = now or timezone.now()
        body = body_of(delivery.payload)
        headers = signing.headers(
            endpoint.signing_secrets(now), delivery.delivery_id, int(now.timestamp()), body
        )
        headers |= {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        return WebhookRequest(endpoint.url, body, headers)

    def send(self, rendered: WebhookRequest, *, to: str, reference: str) -> str:
        try:
            status = http.post(
                rendered.url, rendered.body, rendered.headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_private=settings.WEBHOOK_ALLOW_PRIVATE,
            )  # fmt: skip
        except http.Refused as error:
            raise (TemporaryFailure if error.temporary else PermanentFailure)(str(error)) from None
        return f"{rendered.headers['webhook-id']} ({status})"
