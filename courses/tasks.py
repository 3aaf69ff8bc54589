"""Thin Celery tasks over courses.services."""

from __future__ import annotations

from celery import shared_task

from clinic.actors import SystemActor, system_actor
from courses import photo_files, services


@shared_task(time_limit=300, soft_time_limit=240)
def delete_expired_drafts_task() -> int:
    """Hourly (beat): delete course previews that were never confirmed and have expired."""
    return services.delete_expired_drafts(actor=system_actor(SystemActor.MAINTENANCE))


@shared_task(time_limit=300, soft_time_limit=240)
def remove_stale_photo_uploads_task() -> int:
    """Hourly (beat): move a committed upload's staged file into place; delete orphans."""
    return photo_files.remove_stale_staged_files()
