"""Reminders end to end: a real Celery worker on the configured broker (Redis in CI)
delivering through a real SMTP server on loopback (aiosmtpd in this process)."""

import email
import os
import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connections
from django.utils import timezone

from courses import rescheduling, services
from reminders import services as outbox
from reminders.models import Kind, OutboxMessage, Status
from reminders.tasks import dispatch_due_messages_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Sink:
    """Collects messages; can refuse the next N recipients with a temporary 451."""

    def __init__(self):
        self.messages = []
        self.refuse = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def subjects(self):
        return [" ".join(str(m["Subject"]).split()) for m in self.messages]  # unfold


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    controller.stop()


@pytest.fixture
def worker(smtp, settings, tmp_path, live_worker):
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    return live_worker


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def settled():
    return not OutboxMessage.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).exists()


def dispatch():
    claimed = dispatch_due_messages_task()
    assert wait_until(settled)
    return claimed


@pytest.fixture
def booked(draft, reachable, practitioner, time_machine):
    time_machine.move_to("2026-01-02 12:00Z", tick=True)
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course


def test_booked_course_produces_exactly_the_expected_emails(booked, worker, smtp, time_machine):
    dispatch()
    assert smtp.subjects() == ["Your treatment course at Clinic: 4 sessions booked"]
    first = booked.sessions.get(number=1)
    time_machine.move_to(first.arrives_at - timedelta(hours=48, seconds=-1), tick=True)
    dispatch()
    assert smtp.subjects()[1:] == [
        "Reminder: your session on Tuesday 6 January 2026, 10:00 (Europe/London)"
    ]
    assert len({m["Message-ID"] for m in smtp.messages}) == 2


def test_rescheduled_session_is_reminded_only_at_its_new_time(
    booked, worker, smtp, practitioner, time_machine
):
    dispatch()
    first = booked.sessions.get(number=1)
    old_due = first.arrives_at - timedelta(hours=48)
    rescheduling.reschedule_session(
        session=first, new_day=timezone.localtime(first.arrives_at).date() + timedelta(days=2),
        new_time=timezone.localtime(first.arrives_at).time(), scope="this", reason="",
        actor=practitioner.user,
    )  # fmt: skip
    time_machine.move_to(old_due + timedelta(minutes=1), tick=True)
    dispatch()
    # the booking confirmation, then the notice of the move: no reminder for the old time
    assert smtp.subjects() == [
        "Your treatment course at Clinic: 4 sessions booked",
        "Clinic: your session moved",
    ]
    first.refresh_from_db()
    time_machine.move_to(first.arrives_at - timedelta(hours=48, seconds=-1), tick=True)
    dispatch()
    assert smtp.subjects()[2:] == [
        "Reminder: your session on Thursday 8 January 2026, 10:00 (Europe/London)"
    ]


def test_temporary_smtp_refusal_yields_one_delivery_after_recovery(
    booked, worker, smtp, time_machine
):
    smtp.refuse = 2
    dispatch()
    message = OutboxMessage.objects.get(kind=Kind.COURSE_BOOKED, channel="email")
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "451" in message.last_error
    for _ in range(3):
        time_machine.shift(timedelta(minutes=5))
        dispatch()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert smtp.subjects() == ["Your treatment course at Clinic: 4 sessions booked"]


def book_for_others(count, draft, practitioner):
    """Courses for other patients who want e-mail: one more booking e-mail due each."""
    from tests.factories import cleared_patient

    for i in range(count):
        other = cleared_patient(
            practitioner.user, reminder_channel="email", email_consent_at=timezone.now(),
            email=f"other{i}@example.com",
        )  # fmt: skip
        services.confirm_course(course=draft(patient=other, sessions_planned=4),
                                actor=practitioner.user)  # fmt: skip


def test_one_dispatcher_run_drains_a_backlog_beyond_the_in_flight_cap(
    booked, worker, smtp, draft, practitioner, monkeypatch
):
    book_for_others(3, draft, practitioner)
    due = OutboxMessage.objects.filter(status=Status.PENDING, due_at__lte=timezone.now())
    assert due.count() == 5  # the first patient's e-mail and SMS, three more e-mails
    monkeypatch.setattr(outbox, "MAX_IN_FLIGHT", 2)
    assert dispatch() == 5  # not two a minute: it claims again as sends finish
    assert len(smtp.messages) == 4
    assert not due.exists()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: SQLite's shared in-memory test database refuses concurrent writers",
)
def test_two_dispatchers_racing_send_each_message_once(
    booked, worker, smtp, draft, practitioner, time_machine
):
    book_for_others(5, draft, practitioner)
    time_machine.move_to("2026-05-01 12:00Z", tick=True)  # every reminder is due
    due = OutboxMessage.objects.filter(channel="email", status=Status.PENDING).count()
    barrier = threading.Barrier(2)
    counts = []

    def race():
        try:
            barrier.wait()
            counts.append(dispatch_due_messages_task())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert wait_until(settled, timeout=60)
    assert sum(counts) == OutboxMessage.objects.exclude(status=Status.PENDING).count()
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids))
    sent = OutboxMessage.objects.filter(channel="email", status=Status.SENT).count()
    assert len(ids) == sent
    assert (
        sent + OutboxMessage.objects.filter(channel="email", status=Status.EXPIRED).count() == due
    )
