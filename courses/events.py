"""What courses announces to the apps above it, without importing them.

courses sits below reminders in the layers (README, "Where things live"), so
it may not call reminders itself. It calls these functions instead, at the
moments that matter, and each registered listener runs there and then: in the
caller's thread and transaction, so what a listener writes (the outbox rows)
commits or rolls back with the change that caused it, and an error in a
listener undoes the change. reminders registers its listener in
``RemindersConfig.ready()``.

Plain calls rather than Django signals: every announcement is visible at its
call site, typed, and made exactly once, whatever saves the rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from clinic.actors import Actor
from courses.models import Course, Session


class CourseListener(Protocol):
    """What an app above courses hears; every method runs inside the change's transaction."""

    def course_booked(self, course: Course, sessions: list[Session], *, now: datetime) -> None:
        """A course's sessions were just booked (the preview was confirmed)."""

    def session_changed(self, session: Session) -> None:
        """A session was added, moved, cancelled or marked no-show."""

    def course_changed(self, course: Course) -> None:
        """Staff changed the course's schedule: the patient should hear about it."""

    def session_finished(self, session: Session, *, now: datetime, actor: Actor) -> None:
        """A session's procedure was finished (the course may now be complete)."""

    def session_confirmed(self, session: Session, *, actor: Actor) -> None:
        """The patient's attendance was confirmed (by staff, or by the patient's link)."""


_listeners: list[CourseListener] = []


def register(listener: CourseListener) -> None:
    """Add a listener; registering the same one again changes nothing."""
    if listener not in _listeners:
        _listeners.append(listener)


def unregister(listener: CourseListener) -> None:
    """Remove a listener; one that was not registered is ignored."""
    if listener in _listeners:
        _listeners.remove(listener)


def listeners() -> tuple[CourseListener, ...]:
    return tuple(_listeners)


def course_booked(course: Course, sessions: list[Session], *, now: datetime) -> None:
    for listener in listeners():
        listener.course_booked(course, sessions, now=now)


def session_changed(session: Session) -> None:
    for listener in listeners():
        listener.session_changed(session)


def course_changed(course: Course) -> None:
    for listener in listeners():
        listener.course_changed(course)


def session_finished(session: Session, *, now: datetime, actor: Actor) -> None:
    for listener in listeners():
        listener.session_finished(session, now=now, actor=actor)


def session_confirmed(session: Session, *, actor: Actor) -> None:
    for listener in listeners():
        listener.session_confirmed(session, actor=actor)
