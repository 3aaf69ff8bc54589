"""courses.events: what courses announces reaches the listeners, in the change's transaction."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from courses import events
from courses.models import Course, CourseStatus, Session
from reminders.course_events import OUTBOX_LISTENER
from reminders.models import OutboxMessage
from tests.factories import cleared_patient


class Recorder:
    def __init__(self, fail_on: str = ""):
        self.heard: list[tuple] = []
        self.fail_on = fail_on

    def _hear(self, name, *args):
        self.heard.append((name, *args))
        if name == self.fail_on:
            raise RuntimeError(f"listener failed on {name}")

    def course_booked(self, course, sessions, *, now):
        self._hear("course_booked", course, len(sessions), now)

    def session_changed(self, session):
        self._hear("session_changed", session)

    def course_changed(self, course):
        self._hear("course_changed", course)

    def session_finished(self, session, *, now, actor):
        self._hear("session_finished", session, now)

    def session_confirmed(self, session, *, actor):
        self._hear("session_confirmed", session)


@pytest.fixture
def recorder():
    listener = Recorder()
    events.register(listener)
    yield listener
    events.unregister(listener)


def test_the_outbox_listens_once_registered_by_the_reminders_app():
    assert events.listeners().count(OUTBOX_LISTENER) == 1
    events.register(OUTBOX_LISTENER)
    assert events.listeners().count(OUTBOX_LISTENER) == 1


def test_every_listener_hears_each_announcement_until_unregistered(monkeypatch):
    monkeypatch.setattr(events, "_listeners", [])  # these rows are not saved: no outbox
    recorder = Recorder()
    events.register(recorder)
    course, session, now = Course(), Session(), datetime(2026, 3, 2, 9, tzinfo=UTC)
    events.course_booked(course, [session, session], now=now)
    events.session_changed(session)
    events.course_changed(course)
    events.session_finished(session, now=now, actor=None)
    events.session_confirmed(session, actor=None)
    assert recorder.heard == [
        ("course_booked", course, 2, now),
        ("session_changed", session),
        ("course_changed", course),
        ("session_finished", session, now),
        ("session_confirmed", session),
    ]
    events.unregister(recorder)
    events.course_changed(course)
    assert len(recorder.heard) == 5


def test_confirming_a_course_announces_its_booked_sessions(recorder, book, practitioner):
    patient = cleared_patient(
        practitioner.user, reminder_channel="email", email_consent_at=timezone.now(),
        email="ada@example.com",
    )  # fmt: skip
    course = book(patient=patient)
    assert [(name, c.pk, n) for name, c, n, _ in recorder.heard] == [
        ("course_booked", course.pk, 6)
    ]
    assert OutboxMessage.objects.filter(course=course).exists()  # the outbox heard it too


def test_a_failing_listener_undoes_the_booking_it_heard_about(book, practitioner):
    patient = cleared_patient(
        practitioner.user, reminder_channel="email", email_consent_at=timezone.now(),
        email="ada@example.com",
    )  # fmt: skip
    listener = Recorder(fail_on="course_booked")
    events.register(listener)
    try:
        with pytest.raises(RuntimeError, match="course_booked"):
            book(patient=patient)
    finally:
        events.unregister(listener)
    course = Course.objects.get()
    assert course.status == CourseStatus.DRAFT
    assert not course.sessions.exists()
    assert not OutboxMessage.objects.exists()
