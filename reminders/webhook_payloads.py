"""What a webhook says: ids, times and statuses, never a name, contact or clinical detail.

Each builder returns the ``data`` of one event (``WebhookEvent``) from the rows
as the change left them, in its transaction. Times are ISO 8601 with the
clinic's offset. Who acted is ``{"type": "staff", "user_id": ...}``,
``{"type": "patient"}`` (through their signed link) or ``{"type": "system"}``.
Not here, by design: the patient's name, phone or e-mail; the indication, area,
needle, screening, notes or any procedure record; a message's address or error text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from clinic.actors import is_patient_link, is_system_actor
from courses.models import Course, Session
from reminders.models import OutboxMessage

Data = dict[str, Any]


def moment(value: datetime | None) -> str | None:
    """ISO 8601 with the clinic's UTC offset (``2026-01-06T10:00:00+00:00``)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).isoformat()


def actor_of(user: AbstractBaseUser | None) -> Data:
    if user is None or (is_system_actor(user) and not is_patient_link(user)):
        return {"type": "system"}
    if is_patient_link(user):
        return {"type": "patient"}
    return {"type": "staff", "user_id": user.pk}


def session_data(session: Session) -> Data:
    return {
        "id": session.pk,
        "number": session.number,
        "status": str(session.status),
        "starts_at": moment(session.arrives_at),
        "ends_at": moment(session.procedure_ends_at),
        "practitioner_id": session.practitioner_id,
        "room_id": session.room_id,
    }


def course_data(course: Course) -> Data:
    return {
        "id": course.pk,
        "status": str(course.status),
        "sessions_planned": course.sessions_planned,
        "practitioner_id": course.practitioner_id,
    }


def course_booked(course: Course, sessions: list[Session], actor: AbstractBaseUser | None) -> Data:
    return {
        "course": course_data(course),
        "patient": {"id": course.patient_id},
        "sessions": [session_data(s) for s in sorted(sessions, key=lambda s: s.number)],
        "actor": actor_of(actor),
    }


def session_event(
    session: Session, actor: AbstractBaseUser | None, **extra: datetime | None
) -> Data:
    """A session's event; ``extra`` are times named by the event (``previous_starts_at``)."""
    return {
        "session": session_data(session),
        "course": {"id": session.course_id},
        "patient": {"id": session.patient_id},
        "actor": actor_of(actor),
        **{name: moment(value) for name, value in extra.items()},
    }


def message_failed(message: OutboxMessage) -> Data:
    """A message that could not be delivered: what kind, on which channel, about what."""
    return {
        "message": {
            "id": message.pk,
            "kind": message.kind,
            "channel": message.channel,
            "status": message.status,
            "attempts": message.attempts,
            "due_at": moment(message.due_at),
        },
        "patient": {"id": message.patient_id} if message.patient_id else None,
        "course": {"id": message.course_id} if message.course_id else None,
        "session": {"id": message.session_id} if message.session_id else None,
    }
