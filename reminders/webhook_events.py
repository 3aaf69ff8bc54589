"""The webhooks' listener to courses' announcements (``courses.events``).

Each announcement becomes one event (``WebhookEvent``) for the endpoints that
take it, written in the transaction of the change. Which event a changed
session is, and who acted, is read from the change itself: the session's status
and its latest history entry (``SessionChange``, written before the announcement).
An added session (a replacement) is no event of the list.
"""

from __future__ import annotations

from datetime import datetime

from clinic.actors import Actor
from courses.models import ChangeKind, Course, Session, SessionChange, SessionStatus
from reminders import webhook_payloads, webhooks
from reminders.models import WebhookEvent


def _last_change(session: Session) -> SessionChange | None:
    return session.changes.select_related("changed_by").order_by("-changed_at", "-id").first()


class WebhookListener:
    """Bookings, moves, cancellations, confirmations, no-shows and finished sessions."""

    def course_booked(self, course: Course, sessions: list[Session], *, now: datetime) -> None:
        first = min(sessions, key=lambda s: s.number, default=None)
        change = _last_change(first) if first is not None else None
        actor = change.changed_by if change is not None else None
        data = webhook_payloads.course_booked(course, sessions, actor)
        webhooks.queue_event(WebhookEvent.COURSE_BOOKED, data, course_id=course.pk, now=now)

    def session_changed(self, session: Session) -> None:
        change = _last_change(session)
        actor = change.changed_by if change is not None else None
        extra: dict[str, datetime | None] = {}
        if session.status == SessionStatus.CANCELLED:
            event = WebhookEvent.SESSION_CANCELLED
        elif session.status == SessionStatus.NO_SHOW:
            event = WebhookEvent.SESSION_NO_SHOW
        elif change is not None and change.kind == ChangeKind.RESCHEDULED:
            event = WebhookEvent.SESSION_MOVED
            extra["previous_starts_at"] = change.from_arrives_at
        else:
            return  # a session added to the course: not an event of the list
        self._queue(event, session, actor, **extra)

    def course_changed(self, course: Course) -> None:
        """Each changed session was its own event already."""

    def session_finished(self, session: Session, *, now: datetime, actor: Actor) -> None:
        self._queue(WebhookEvent.SESSION_DONE, session, actor, now=now)

    def session_confirmed(self, session: Session, *, actor: Actor) -> None:
        self._queue(WebhookEvent.SESSION_CONFIRMED, session, actor)

    def _queue(
        self,
        event: WebhookEvent,
        session: Session,
        actor: Actor | None,
        now: datetime | None = None,
        **extra: datetime | None,
    ) -> None:
        data = webhook_payloads.session_event(session, actor, **extra)
        webhooks.queue_event(
            event, data, course_id=session.course_id, session_id=session.pk, now=now
        )


WEBHOOK_LISTENER = WebhookListener()
