"""The outbox's listener to courses' announcements (``courses.events``).

Each announcement writes or rewrites outbox rows in the transaction of the
change that caused it; registered by ``RemindersConfig.ready()``.
"""

from __future__ import annotations

from datetime import datetime

from clinic.actors import Actor
from courses.models import Course, Session
from reminders import services


class OutboxListener:
    """Booking, moves, cancellations and finished sessions, as messages to patients."""

    def course_booked(self, course: Course, sessions: list[Session], *, now: datetime) -> None:
        services.queue_course_booked(course, sessions, now=now)

    def session_changed(self, session: Session) -> None:
        services.sync_session(session)

    def course_changed(self, course: Course) -> None:
        services.queue_change_notice(course=course)

    def session_finished(self, session: Session, *, now: datetime, actor: Actor) -> None:
        services.queue_after_session(session, now=now)

    def session_confirmed(self, session: Session, *, actor: Actor) -> None:
        """Nothing to tell the patient: they know, or they confirmed it themselves."""


OUTBOX_LISTENER = OutboxListener()
