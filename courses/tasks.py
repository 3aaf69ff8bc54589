"""Thin Celery tasks over courses.services."""

from __future__ import annotations

from celery import shared_task

from clinic.actors import SystemActor, system_actor
from courses import services


@shared_task(time_limit=300, soft_time_limit=240)
def delete_expired_drafts_task() -> int:
    """Hourly (beat): delete course previews that were never confirmed and have expired."""
    return services.delete_expired_drafts(actor=system_actor(SystemActor.MAINTENANCE))
