"""Writes for clinic-wide rows."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from clinic.models import WorkerHeartbeat


@transaction.atomic
def record_heartbeat(*, name: str) -> WorkerHeartbeat:
    """Mark the named worker as alive now."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
