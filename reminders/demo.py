"""The demo's message history: what a working clinic's outbox would show by now."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from reminders.models import OutboxMessage, Status

# Messages the demo's history made due before this long ago went out at their time.
HISTORY_BEFORE = timedelta(minutes=5)


def settle_demo_history(*, now: datetime | None = None) -> int:
    """Mark the demo's past messages sent at their due time; returns how many.

    The demo books its history "as of" weeks ago, so its reminders of past
    sessions were left pending with due times in the past: a fresh planner
    would show them as waiting for weeks (and /healthz as delayed) until the
    dispatcher expired them. A clinic's outbox would have sent them then.
    Part of the demo loader's write (its transaction and actor).
    """
    cutoff = (now or timezone.now()) - HISTORY_BEFORE
    return OutboxMessage.objects.filter(status=Status.PENDING, due_at__lt=cutoff).update(
        status=Status.SENT, sent_at=F("due_at"), attempts=1, provider_message_id="demo-history"
    )
