"""Webhooks (issue #18): managers' endpoints, the deliveries the outbox sends them, and
what a delivery's outcome does to its endpoint.

A delivery is an outbox row on the ``webhook`` channel (``OutboxMessage.endpoint``)
with its ``WebhookDelivery``: the dispatcher claims, sends, retries with backoff and
fails it like any message, and staff retry it with the same button. ``queue_event``
writes one per endpoint that takes the event, in the transaction of the change.

An endpoint "failing for a day": its first failure since its last success is
``failing_since``; a failure when that is older than the clinic's
``webhook_disable_hours`` switches it off, with the reason, and each manager is
sent an e-mail in their own language (``Kind.WEBHOOK_DISABLED``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clinic.actors import Actor
from clinic.models import Clinic
from clinic.permissions import MANAGER, require
from reminders import signing, webhook_payloads
from reminders.models import (
    Channel,
    Kind,
    MessageEvent,
    OutboxMessage,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)
MANAGE = "reminders.manage_webhooks"
# A rotated secret still signs beside the new one this long, so receivers can switch.
ROTATION_OVERLAP = timedelta(hours=24)


@transaction.atomic
def create_endpoint(
    *, name: str, url: str, events: list[str], actor: Actor, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint, switched on, and its secret (shown to the manager once)."""
    require(actor, MANAGE)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        name=name.strip(), url=url.strip(), events=_known(events), secret=secret,
        created_by=actor, created_at=now or timezone.now(),
    )  # fmt: skip
    return endpoint, secret


@transaction.atomic
def update_endpoint(
    *, endpoint: WebhookEndpoint, name: str, url: str, events: list[str], actor: Actor
) -> WebhookEndpoint:
    """Rename it, move it to another address or change the events it takes."""
    require(actor, MANAGE, endpoint)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.name, locked.url, locked.events = name.strip(), url.strip(), _known(events)
    locked.save(update_fields=["name", "url", "events"])
    return locked


@transaction.atomic
def rotate_secret(*, endpoint: WebhookEndpoint, actor: Actor, now: datetime | None = None) -> str:
    """A new secret (returned, to be shown once); the old one still signs for a day."""
    require(actor, MANAGE, endpoint)
    now = now or timezone.now()
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret, locked.previous_secret_until = locked.secret, now + ROTATION_OVERLAP
    locked.secret = signing.new_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return locked.secret


@transaction.atomic
def switch_endpoint(
    *, endpoint: WebhookEndpoint, on: bool, actor: Actor, now: datetime | None = None
) -> WebhookEndpoint:
    """Switch it on (its failure clock starts afresh) or off (by this manager)."""
    require(actor, MANAGE, endpoint)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.active = on
    if on:
        locked.failing_since, locked.disabled_at, locked.disabled_reason = None, None, ""
    else:
        locked.disabled_at = now or timezone.now()
        locked.disabled_reason = f"switched off by {actor.get_username()}"
    locked.save(update_fields=["active", "failing_since", "disabled_at", "disabled_reason"])
    return locked


def _known(events: list[str]) -> list[str]:
    """The events in their fixed order, each once; an unknown one is refused."""
    unknown = set(events) - set(WebhookEvent.values)
    if unknown:
        raise ValueError(f"unknown webhook events: {sorted(unknown)}")
    return [e for e in WebhookEvent.values if e in events]


def queue_event(
    event: WebhookEvent,
    data: dict[str, object],
    *,
    course_id: int | None = None,
    session_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """One delivery, due now, per switched-on endpoint that takes ``event``; how many.

    Part of the caller's write (the change that caused the event): the rows
    commit or roll back with it.
    """
    now = now or timezone.now()
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.takes(event)]
    for endpoint in endpoints:
        delivery_id = f"msg_{uuid.uuid4().hex}"
        message = OutboxMessage.objects.create(
            kind=Kind.WEBHOOK, channel=Channel.WEBHOOK, recipient=endpoint.url[:254],
            endpoint=endpoint, course_id=course_id, session_id=session_id,
            dedupe_key=f"webhook:{delivery_id}", due_at=now, created_at=now,
        )  # fmt: skip
        payload = {"type": str(event), "timestamp": webhook_payloads.moment(now), "data": data}
        WebhookDelivery.objects.create(
            message=message, event=event, delivery_id=delivery_id, payload=payload
        )
        MessageEvent.objects.create(message=message, event="created", detail=str(event), at=now)
    return len(endpoints)


def after_delivery(message: OutboxMessage, outcome: str, *, actor: Actor, now: datetime) -> None:
    """What an outcome of ``services.deliver`` means beyond its row (its own small writes).

    A webhook delivery that went clears its endpoint's failure clock; one that failed
    (to be retried or for good) starts or checks it. Any other message that failed
    for good is announced to the endpoints taking ``message.failed``.
    """
    require(actor, "reminders.send")
    if message.channel == Channel.WEBHOOK:
        # Only an endpoint failing when the row was read needs its clock cleared: a write
        # per delivery otherwise. One that began failing since is cleared by its next success.
        failing = message.endpoint is not None and message.endpoint.failing_since is not None
        if outcome == Status.SENT and failing:
            record_delivery_success(message=message, actor=actor)
        elif outcome in ("retry", Status.FAILED):
            record_delivery_failure(message=message, actor=actor, now=now)
    elif outcome == Status.FAILED:
        announce_failed_message(message=message, actor=actor, now=now)


@transaction.atomic
def record_delivery_success(*, message: OutboxMessage, actor: Actor) -> None:
    """The endpoint answered: it is not failing (one conditional update, usually a no-op)."""
    require(actor, "reminders.send")
    if message.endpoint_id is not None:
        WebhookEndpoint.objects.filter(pk=message.endpoint_id, failing_since__isnull=False).update(
            failing_since=None
        )


@transaction.atomic
def record_delivery_failure(*, message: OutboxMessage, actor: Actor, now: datetime) -> bool:
    """Start the endpoint's failure clock, or switch it off once it has run the clinic's
    ``webhook_disable_hours``; True when this failure switched it off."""
    require(actor, "reminders.send")
    if message.endpoint_id is None:
        return False
    found = WebhookEndpoint.objects.select_for_update().filter(pk=message.endpoint_id)
    endpoint = found.first()
    if endpoint is None or not endpoint.active:
        return False
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
        return False
    hours = Clinic.current().webhook_disable_hours
    if now - endpoint.failing_since < timedelta(hours=hours):
        return False
    error = OutboxMessage.objects.filter(pk=message.pk).values_list("last_error", flat=True)
    endpoint.active, endpoint.disabled_at = False, now
    endpoint.disabled_reason = (
        f"every delivery failed for {hours} hours (since "
        f"{webhook_payloads.moment(endpoint.failing_since)}); last error: {error.first() or ''}"
    )[:1000]
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
    logger.warning("webhook endpoint %s switched off: failing for %s hours", endpoint.pk, hours)
    _tell_managers(endpoint, now)
    return True


def _tell_managers(endpoint: WebhookEndpoint, now: datetime) -> None:
    """One e-mail per active manager with an address, due now, in their own language."""
    managers = User.objects.filter(groups__name=MANAGER, is_active=True).exclude(email="")
    for manager in managers.distinct():
        message, created = OutboxMessage.objects.get_or_create(
            dedupe_key=f"webhook_disabled:{endpoint.pk}:{now.isoformat()}:{manager.pk}",
            defaults={"kind": Kind.WEBHOOK_DISABLED, "channel": Channel.EMAIL,
                      "recipient": manager.email, "staff": manager, "endpoint": endpoint,
                      "due_at": now, "created_at": now},
        )  # fmt: skip
        if created:
            MessageEvent.objects.create(message=message, event="created", at=now)


@transaction.atomic
def announce_failed_message(*, message: OutboxMessage, actor: Actor, now: datetime) -> int:
    """``message.failed`` to the endpoints that take it (never about a webhook delivery)."""
    require(actor, "reminders.send")
    message.status = Status.FAILED
    return queue_event(
        WebhookEvent.MESSAGE_FAILED, webhook_payloads.message_failed(message),
        course_id=message.course_id, session_id=message.session_id, now=now,
    )  # fmt: skip
