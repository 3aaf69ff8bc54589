"""Periodic housekeeping tasks."""

from __future__ import annotations

from celery import shared_task

from clinic import services
from clinic.actors import SystemActor, system_actor

CELERY_WORKER = "celery"


@shared_task(time_limit=30, soft_time_limit=20)
def record_heartbeat_task() -> None:
    """Record that a worker is consuming the queue; /healthz reports its age."""
    services.record_heartbeat(name=CELERY_WORKER, actor=system_actor(SystemActor.MAINTENANCE))
