"""The outbox's section of /healthz: is delivery keeping up?"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from clinic.models import Clinic
from reminders import services
from reminders.models import OutboxMessage, Status

DELAYED = "outbox_delayed"


def outbox_health(now: datetime | None = None) -> tuple[dict[str, object], str | None]:
    """The oldest due-but-unsent message's age, rows stuck past their lease, paused channels.

    A problem (``outbox_delayed``, so /healthz answers 503) when a due message has
    waited longer than the clinic's ``outbox_alarm_minutes``: a relay down, no
    worker, a broker that lost its queue. A fixed number of queries, each served
    by a partial index of the queue's states, however long the history.
    """
    now = now or timezone.now()
    clinic = Clinic.current()
    oldest = _oldest_due(now)
    age = None if oldest is None else max(0, int((now - oldest).total_seconds()))
    stuck = OutboxMessage.objects.filter(
        status=Status.SENDING,
        started_at__lt=now - timedelta(minutes=clinic.sending_lease_minutes),
    ).count()
    alarm = clinic.outbox_alarm_minutes * 60
    body: dict[str, object] = {
        "oldest_due_seconds": age,
        "stuck_past_lease": stuck,
        "paused_channels": {c: at.isoformat() for c, at in services.paused_channels().items()},
        "alarm_after_seconds": alarm,
    }
    return body, DELAYED if age is not None and age > alarm else None


def _oldest_due(now: datetime) -> datetime | None:
    """The earliest due time among rows due and not yet sent (pending, queued, sending)."""
    pending = (
        OutboxMessage.objects.filter(status=Status.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    found = [pending] if pending else []
    for status in (Status.QUEUED, Status.SENDING):  # the in-flight few
        earliest = OutboxMessage.objects.filter(status=status).aggregate(at=Min("due_at"))["at"]
        if earliest is not None:
            found.append(earliest)
    return min(found, default=None)
