"""Reachability checks behind /healthz."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import connection
from django.db.utils import DatabaseError

from clinic.celery import app as celery_app
from clinic.models import WorkerHeartbeat
from clinic.tasks import CELERY_WORKER

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 3  # kombu documents the timeout as whole seconds

# A section of /healthz another app reports (clinic may not import the apps above
# it: they register here when they load). It returns its part of the JSON body and
# a problem status ("outbox_delayed") that makes the answer 503, or None.
Section = Callable[[], tuple[dict[str, object], str | None]]
_sections: dict[str, Section] = {}


def register_section(name: str, check: Section) -> None:
    """Report ``check``'s body under ``name`` in /healthz (read while the database answers)."""
    _sections[name] = check


def sections() -> dict[str, Section]:
    return dict(_sections)


def read_section(check: Section) -> tuple[dict[str, object], str | None]:
    """The section's report; empty when the database fails meanwhile (already reported)."""
    try:
        return check()
    except DatabaseError:
        logger.warning("health: a section could not be read", exc_info=True)
        return {}, None


def check_database() -> bool:
    """True when the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("health: database unreachable", exc_info=True)
        return False


def check_broker() -> bool:
    """True when the Celery broker accepts a connection within a few seconds."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            return True
    except Exception:  # kombu raises transport-specific errors; any of them means "down"
        logger.warning("health: broker unreachable", exc_info=True)
        return False


def last_worker_heartbeat() -> datetime | None:
    """When beat and a worker last ran the heartbeat task, if the database answers."""
    try:
        row = WorkerHeartbeat.objects.filter(name=CELERY_WORKER).first()
    except DatabaseError:
        return None
    return row.seen_at if row else None
