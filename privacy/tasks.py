"""Thin Celery tasks over privacy.services."""

from __future__ import annotations

from celery import shared_task

from clinic.actors import SystemActor, system_actor
from privacy import services


@shared_task(time_limit=600, soft_time_limit=540)
def list_due_for_erasure_task() -> int:
    """Daily (beat): list the patients past the clinic's retention period for a manager."""
    return services.list_due_for_erasure(actor=system_actor(SystemActor.MAINTENANCE))
