"""A manager retries every failed message of a period at once; others cannot."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reminders import services as outbox
from reminders.models import ChannelState, Kind, MessageEvent, OutboxMessage, Status
from tests.factories import staff_actor

URL = reverse("reminders:retry_period")


def failed(n, due_at, **fields):
    values = {"kind": Kind.DAILY_AGENDA, "channel": "email", "recipient": "staff@clinic.example",
              "due_at": due_at, "dedupe_key": f"test:{n}", "status": Status.FAILED,
              "attempts": 5, "last_error": "gave up after 5 attempts: SMTP 451"}  # fmt: skip
    return OutboxMessage.objects.create(**{**values, **fields})


@pytest.fixture
def history(db, now):
    """Failed messages due on 30 Dec, 31 Dec and 1 Jan (clinic time), and one sent."""
    day = timezone.now().replace(hour=10) - timedelta(days=1)  # 1 Jan 2026, 10:00
    rows = [failed(n, day - timedelta(days=n)) for n in range(3)]
    failed(9, day, status=Status.SENT)
    return rows


def test_the_service_queues_again_the_failed_messages_of_the_period_with_one_event_each(history):
    count = outbox.retry_failed_between(
        start=date(2025, 12, 31), end=date(2026, 1, 1), actor=staff_actor()
    )
    assert count == 2
    retried = OutboxMessage.objects.filter(status=Status.PENDING)
    assert sorted(retried.values_list("pk", flat=True)) == [history[0].pk, history[1].pk]
    assert set(retried.values_list("attempts", "due_at")) == {(0, timezone.now())}
    assert OutboxMessage.objects.get(pk=history[2].pk).status == Status.FAILED  # 30 Dec
    events = MessageEvent.objects.filter(event="retry requested")
    assert sorted(events.values_list("message_id", flat=True)) == [history[0].pk, history[1].pk]


def test_a_manager_sees_the_count_first_then_retries(manager_client, history):
    page = manager_client.get(reverse("reminders:failed")).content.decode()
    assert 'data-testid="retry-period"' in page
    response = manager_client.post(URL, {"start": "2025-12-30", "end": "2026-01-01"})
    assert response.status_code == 200
    assert "3 failed messages due from 30 Dec 2025 to 1 Jan 2026" in response.content.decode()
    assert OutboxMessage.objects.filter(status=Status.FAILED).count() == 3  # nothing yet
    response = manager_client.post(
        URL, {"start": "2025-12-30", "end": "2026-01-01", "confirm": "on"}, follow=True
    )
    assert "3 failed messages queued again." in response.content.decode()
    assert not OutboxMessage.objects.filter(status=Status.FAILED).exists()


def test_one_message_retried_is_told_in_the_singular(manager_client, history):
    response = manager_client.post(
        URL, {"start": "2026-01-01", "end": "2026-01-01", "confirm": "on"}, follow=True
    )
    assert "1 failed message queued again." in response.content.decode()


def test_a_pause_that_began_on_another_day_names_the_day_in_the_pages_language(
    staff_client, db, now
):
    from django.utils import translation

    from reminders.health import paused_notices

    since = timezone.now().replace(hour=10, minute=42) - timedelta(days=1)
    ChannelState.objects.create(channel="email", failures=5, paused_since=since)
    assert paused_notices() == ["E-mail relay down since 1 January 10:42"]
    with translation.override("fr"):
        assert "1 janvier 10:42" in paused_notices()[0]


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        ("2026-01-01", "2025-12-30", "The period must end on or after its first day."),
        ("2024-01-01", "2026-01-01", "Choose a period of at most a year."),
        ("2026-01-01", "2026-02-01", "The period cannot end in the future."),
        ("1999-12-31", "2000-01-02", "Choose a date from 2000 on."),
        ("yesterday", "2026-01-01", "Enter a valid date."),
        ("", "2026-01-01", "This field is required."),
        ("99999-01-01", "2026-01-01", "Enter a valid date."),
    ],
)
def test_bad_dates_are_refused_with_a_clear_message_and_nothing_changes(
    manager_client, history, start, end, error
):
    response = manager_client.post(URL, {"start": start, "end": end, "confirm": "on"})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert OutboxMessage.objects.filter(status=Status.FAILED).count() == 3


def test_others_do_not_see_the_form_and_get_403(staff_client, history):
    page = staff_client.get(reverse("reminders:failed")).content.decode()
    assert 'data-testid="retry-period"' not in page
    response = staff_client.post(URL, {"start": "2025-12-30", "end": "2026-01-01", "confirm": "on"})
    assert response.status_code == 403
    assert OutboxMessage.objects.filter(status=Status.FAILED).count() == 3


def test_a_paused_channel_is_named_on_the_failed_page_and_the_board(staff_client, db, now):
    since = timezone.now().replace(hour=10, minute=42)  # the clinic is in London: UTC in winter
    ChannelState.objects.create(channel="email", failures=5, paused_since=since)
    for url in (reverse("reminders:failed"), reverse("home")):
        page = staff_client.get(url).content.decode()
        assert "E-mail relay down since 10:42" in page
    ChannelState.objects.update(paused_since=None)
    assert "relay down" not in staff_client.get(reverse("home")).content.decode()


# --- A retry cannot send a stale agenda or completion notice -------------------------


def _worker():
    from clinic.actors import SystemActor, system_actor

    return system_actor(SystemActor.REMINDERS)


def test_a_retried_agenda_lists_its_own_day_and_expires_once_that_day_has_passed(
    draft, reachable, practitioner, time_machine, settings
):
    from django.core import mail

    from courses import services
    from reminders import content

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    first, second = course.sessions.get(number=1), course.sessions.get(number=2)
    time_machine.move_to(first.arrives_at.replace(hour=6), tick=False)
    assert outbox.queue_daily_agendas(actor=_worker()) == 1
    agenda = OutboxMessage.objects.get(kind=Kind.DAILY_AGENDA)
    OutboxMessage.objects.exclude(pk=agenda.pk).delete()  # the patient's own messages
    OutboxMessage.objects.filter(pk=agenda.pk).update(status=Status.FAILED)
    # Retried the same evening (due now): still the first session's day.
    time_machine.move_to(first.arrives_at.replace(hour=20), tick=False)
    outbox.retry_failed(message=agenda, actor=staff_actor())
    agenda.refresh_from_db()
    assert [s.pk for s in content.agenda_sessions(agenda)] == [first.pk]
    OutboxMessage.objects.filter(pk=agenda.pk).update(status=Status.FAILED)
    # A manager's "retry all" on the second session's day: that agenda is old news.
    time_machine.move_to(second.arrives_at.replace(hour=8), tick=False)
    day = timezone.localdate(first.arrives_at)
    retried = outbox.retry_failed_between(start=day, end=day, actor=staff_actor())
    assert retried == 1
    mail.outbox.clear()
    assert outbox.claim_due(actor=_worker()) == [agenda.pk]
    assert outbox.deliver(agenda.pk, actor=_worker()) == Status.EXPIRED
    agenda.refresh_from_db()
    assert (agenda.status, agenda.last_error) == (
        Status.EXPIRED,
        "the day of the agenda has passed",
    )
    assert mail.outbox == []


def test_a_retried_course_completed_notice_expires_by_when_it_was_written(
    draft, reachable, practitioner, time_machine, settings
):
    from django.core import mail

    from courses import services
    from courses.models import Course, CourseStatus

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.COMPLETED)
    OutboxMessage.objects.all().delete()  # the booking's messages
    written = timezone.now()
    message = OutboxMessage.objects.create(
        kind=Kind.COURSE_COMPLETED, channel="email", recipient=reachable.email,
        patient=reachable, course=course, due_at=written, dedupe_key="test:completed",
        status=Status.FAILED, created_at=written,
    )  # fmt: skip
    time_machine.move_to(written + timedelta(days=5), tick=False)
    day = timezone.localdate(written)
    assert outbox.retry_failed_between(start=day, end=day, actor=staff_actor()) == 1
    mail.outbox.clear()
    assert outbox.claim_due(actor=_worker()) == [message.pk]
    assert outbox.deliver(message.pk, actor=_worker()) == Status.EXPIRED
    assert mail.outbox == []
