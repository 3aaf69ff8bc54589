"""Is a message still worth sending? One check per kind, asked at send time.

A message is written when something happens (a booking, a session ending) and
sent minutes or days later; by then the course may be cancelled, the session
moved or the agenda empty. The send task asks ``why_not_send`` for every kind
and, when the answer is not None, ends the row as cancelled or expired with the
reason (never as failed: nothing went wrong, there is just nothing to say).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from courses.models import OPEN_STATUSES, CourseStatus, SessionStatus
from reminders import content
from reminders.models import BEFORE_SESSION, Kind, OutboxMessage, Status

Refusal = tuple[str, str]  # (status, reason)

# Aftercare is advice for the first days after a session: once the session ended
# longer ago than this (a backlog, a worker down, history loaded with past dates)
# the sheet is no longer news.
AFTERCARE_FRESH_FOR = timedelta(days=3)
# "Your course is complete" is news for a few days too, not weeks later.
COMPLETION_FRESH_FOR = timedelta(days=3)


def _before_session(message: OutboxMessage, now: datetime) -> Refusal | None:
    session = message.session
    assert session is not None  # why_not_send refused the row if it is gone
    if session.schedule_version != message.schedule_version:
        return Status.CANCELLED, "the session moved"
    if session.status in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW):
        return Status.CANCELLED, "the session was cancelled"
    if now >= session.arrives_at or session.status not in OPEN_STATUSES:
        return Status.EXPIRED, "the session has started"
    return None


def _course_booked(message: OutboxMessage, now: datetime) -> Refusal | None:
    assert message.course is not None  # why_not_send refused the row if it is gone
    if message.course.status == CourseStatus.CANCELLED:
        return Status.CANCELLED, "the course was cancelled"
    sessions = content.course_sessions(message)
    if not sessions:
        return Status.CANCELLED, "the course has no booked sessions any more"
    if any(s.arrives_at <= now for s in sessions):
        # It tells the patient their dates before the course begins; sent later (a
        # long outage, a course entered after the fact) it would ask them to arrive
        # at times already past. Changes since are told by the "sessions changed" notice.
        return Status.EXPIRED, "the course has already begun"
    return None


def _aftercare(message: OutboxMessage, now: datetime) -> Refusal | None:
    session = message.session
    assert session is not None  # why_not_send refused the row if it is gone
    if session.status not in (SessionStatus.COMPLETED, SessionStatus.STOPPED):
        return Status.CANCELLED, "the session did not end as treated"
    if getattr(session, "aftercare", None) is None:
        return Status.CANCELLED, "the session has no aftercare sheet"
    if now - session.procedure_ends_at > AFTERCARE_FRESH_FOR:
        days = AFTERCARE_FRESH_FOR.days
        return Status.EXPIRED, f"the session ended more than {days} days before sending"
    return None


def _course_completed(message: OutboxMessage, now: datetime) -> Refusal | None:
    assert message.course is not None  # why_not_send refused the row if it is gone
    if message.course.status != CourseStatus.COMPLETED:
        return Status.CANCELLED, "the course is no longer completed"
    # From when it was written (the course completed then), not its due time, which a
    # retry or a manager's "retry all" moves to now.
    if now - message.created_at > COMPLETION_FRESH_FOR:
        days = COMPLETION_FRESH_FOR.days
        return Status.EXPIRED, f"it was written more than {days} days before sending"
    return None


# A new link the patient asked for is sent at once; one that could not go within this
# long (a long outage) is no answer to their request any more: they will ask again.
LINK_REQUEST_FRESH_FOR = timedelta(hours=12)


def _course_link(message: OutboxMessage, now: datetime) -> Refusal | None:
    assert message.course is not None  # why_not_send refused the row if it is gone
    if message.course.status == CourseStatus.DRAFT:
        return Status.CANCELLED, "the course is not booked"
    if now - message.created_at > LINK_REQUEST_FRESH_FOR:
        hours = int(LINK_REQUEST_FRESH_FOR.total_seconds() // 3600)
        return Status.EXPIRED, f"it was asked for more than {hours} hours before sending"
    return None


def _daily_agenda(message: OutboxMessage, now: datetime) -> Refusal | None:
    if now.astimezone(ZoneInfo(settings.TIME_ZONE)).date() > content.agenda_day(message):
        return Status.EXPIRED, "the day of the agenda has passed"
    if not content.agenda_sessions(message):
        return Status.CANCELLED, "no sessions on that day any more"
    return None


def _cancelled_by_patient(message: OutboxMessage, now: datetime) -> Refusal | None:
    session = message.session
    assert session is not None  # why_not_send refused the row if it is gone
    if session.status != SessionStatus.CANCELLED:
        return Status.CANCELLED, "the session is no longer cancelled"
    return None


def _moved_by_patient(message: OutboxMessage, now: datetime) -> Refusal | None:
    session = message.session
    assert session is not None  # why_not_send refused the row if it is gone
    if session.status == SessionStatus.CANCELLED:
        return Status.CANCELLED, "the session was cancelled since"
    return None


def _sessions_changed(message: OutboxMessage, now: datetime) -> Refusal | None:
    if not content.course_changes(message):
        return Status.CANCELLED, "nothing changed since the patient was last told"
    return None


def _webhook(message: OutboxMessage, now: datetime) -> Refusal | None:
    """A delivery goes to its endpoint while it is on and takes the event (issue #18)."""
    endpoint = message.endpoint
    if endpoint is None:
        return Status.CANCELLED, "the webhook endpoint no longer exists"
    if not endpoint.active:
        return Status.CANCELLED, "the webhook endpoint is switched off"
    if not hasattr(message, "webhook"):  # a reverse one-to-one's absence is an AttributeError
        return Status.CANCELLED, "the delivery has no payload"
    if not endpoint.takes(message.webhook.event):
        return Status.CANCELLED, "the webhook endpoint no longer takes this event"
    return None


def _webhook_disabled(message: OutboxMessage, now: datetime) -> Refusal | None:
    """The managers' notice that an endpoint was switched off: moot once it is on again."""
    if message.endpoint is None:
        return Status.CANCELLED, "the webhook endpoint no longer exists"
    if message.endpoint.active:
        return Status.CANCELLED, "the webhook endpoint is on again"
    return None


def _lot_recall(message: OutboxMessage, now: datetime) -> Refusal | None:
    """News until it is read: a recall notice does not expire, but goes only while the lot
    the session used stands recalled."""
    session = message.session
    assert session is not None  # why_not_send refused the row if it is gone
    lot = content.recalled_lot(session)
    if lot is None or lot.recalled_at is None:
        return Status.CANCELLED, "the session's lot is not recalled"
    return None


CHECKS: dict[str, Callable[[OutboxMessage, datetime], Refusal | None]] = {
    **dict.fromkeys(BEFORE_SESSION, _before_session),
    Kind.COURSE_BOOKED: _course_booked,
    Kind.AFTERCARE: _aftercare,
    Kind.COURSE_COMPLETED: _course_completed,
    Kind.DAILY_AGENDA: _daily_agenda,
    Kind.CANCELLED_BY_PATIENT: _cancelled_by_patient,
    Kind.SESSIONS_CHANGED: _sessions_changed,
    Kind.COURSE_LINK: _course_link,
    Kind.MOVED_BY_PATIENT: _moved_by_patient,
    Kind.WEBHOOK: _webhook,
    Kind.WEBHOOK_DISABLED: _webhook_disabled,
    Kind.LOT_RECALL: _lot_recall,
}


def why_not_send(message: OutboxMessage, now: datetime) -> Refusal | None:
    """(status, reason) when the message must not go any more, else None.

    Every kind has a check (a kind without one is refused, so a new kind cannot
    go out unchecked); the row's subject (session, course) must still exist.
    """
    check = CHECKS.get(message.kind)
    if check is None:
        return Status.CANCELLED, f"no send-time check for {message.kind}"
    if (message.session_id is None and message.kind in _NEEDS_SESSION) or (
        message.course_id is None and message.kind in _NEEDS_COURSE
    ):
        return Status.CANCELLED, "what the message was about no longer exists"
    return check(message, now)


_NEEDS_SESSION = {
    *BEFORE_SESSION, Kind.AFTERCARE, Kind.CANCELLED_BY_PATIENT, Kind.MOVED_BY_PATIENT,
    Kind.LOT_RECALL,
}  # fmt: skip
_NEEDS_COURSE = {
    Kind.COURSE_BOOKED, Kind.COURSE_COMPLETED, Kind.SESSIONS_CHANGED, Kind.COURSE_LINK,
}  # fmt: skip
