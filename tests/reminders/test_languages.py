"""Messages are written in their reader's language, dates in that language's words."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from clinic.accounts.models import StaffPreferences
from reminders import channels, content
from reminders.models import Kind, OutboxMessage

LONDON = ZoneInfo("Europe/London")
TUESDAY = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Tuesday 6 January 2026, 10:00 (Europe/London)"),
        ("ru", "Вторник, 6 января 2026, 10:00 (Europe/London)"),  # the month as after a day
        ("uk", "Вівторок, 6 січня 2026, 10:00 (Europe/London)"),
        ("de", "Dienstag, 6. Januar 2026, 10:00 Uhr (Europe/London)"),
    ],
)
def test_a_visit_time_is_written_in_the_active_language(language, expected):
    with translation.override(language):
        assert content.when(TUESDAY, LONDON) == expected


def test_the_time_is_the_recipients_time_zone():
    with translation.override("en"):
        assert content.when(TUESDAY, ZoneInfo("Asia/Tokyo")).endswith("19:00 (Asia/Tokyo)")


def test_a_patients_messages_are_in_the_patients_language(book, patient):
    patient.language = "ru"
    patient.save()
    course = book()
    first = course.sessions.order_by("arrives_at").first()
    message = OutboxMessage.objects.create(
        kind=Kind.REMINDER_48H, channel="email", recipient="p@example.com", patient=patient,
        course=course, session=first, schedule_version=first.schedule_version,
        due_at=timezone.now(), dedupe_key="test:reminder",
    )  # fmt: skip
    email = channels.get("email").render(message)
    assert "января" in email.subject  # Django's own Russian month names
    assert translation.get_language() != "ru"  # the override ends with the rendering


def test_a_staff_message_is_in_the_staff_members_language(book, practitioner, patient):
    patient.language = "ru"
    patient.save()
    StaffPreferences.objects.create(user=practitioner.user, language="de")
    course = book()
    first = course.sessions.order_by("arrives_at").first()
    notice = OutboxMessage.objects.create(
        kind=Kind.CANCELLED_BY_PATIENT, channel="email", recipient="p@example.com",
        practitioner=practitioner, course=course, session=first,
        schedule_version=first.schedule_version, due_at=timezone.now(), dedupe_key="test:c",
    )  # fmt: skip
    email = channels.get("email").render(notice)
    assert "Januar" in email.text
    assert "января" not in email.text
