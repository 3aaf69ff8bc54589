"""Self-reschedule on a phone in Chromium: from the e-mail's link to the moved session (#17).

English and Russian patients (``patient.language``); assertions go by data-testid and
page structure, not by words, so they hold whatever the catalogues say.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from clinic.actors import SystemActor, system_actor
from courses import services
from courses.models import Session
from reminders import services as outbox
from reminders.models import Kind, OutboxMessage, Status
from tests.factories import ClinicFactory, cleared_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def course_link_from_the_delivered_email(course) -> str:
    """Send the course-booked e-mail through the outbox and read the course link in it."""
    worker = system_actor(SystemActor.REMINDERS)
    outbox.claim_due(actor=worker)
    booked = OutboxMessage.objects.get(course=course, kind=Kind.COURSE_BOOKED, channel="email")
    assert outbox.deliver(booked.pk, actor=worker) == Status.SENT
    [email] = mail.outbox
    [link] = set(re.findall(r"https?://\S+/p/course/[^/\s]+/", email.body))
    return urlsplit(link).path


@pytest.mark.parametrize("language", ["en", "ru"])
def test_patient_moves_a_session_from_the_emailed_link_on_a_phone(
    page, draft, practitioner, settings, language
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ClinicFactory()
    patient = cleared_patient(
        practitioner.user, reminder_channel="email", email="ada@example.com",
        email_consent_at=timezone.now(), language=language,
    )  # fmt: skip
    course = draft(patient=patient, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    second = Session.objects.get(course=course, number=2)
    old_reminder = OutboxMessage.objects.get(session=second, kind=Kind.REMINDER_48H)

    page.set_viewport_size(PHONE)
    page.goto(course_link_from_the_delivered_email(course))
    expect(page.locator("html")).to_have_attribute("lang", language)
    card = page.locator("#session-2")
    before = card.get_by_test_id("arrival").inner_text()
    card.get_by_test_id("move-2").click()

    offers = page.get_by_test_id("offer")
    expect(offers.first).to_be_visible()
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    offers.first.click()
    expect(page.get_by_test_id("new-schedule")).to_be_visible()
    expect(page.locator('[data-testid="schedule-row"][data-moved="1"]').first).to_be_visible()
    page.get_by_test_id("confirm-move").click()

    expect(page.get_by_test_id("moved-done")).to_be_visible()
    after = page.locator("#session-2").get_by_test_id("arrival").inner_text()
    assert after != before
    moved = Session.objects.get(pk=second.pk)
    assert moved.schedule_version == 2
    assert moved.arrives_at != second.arrives_at
    assert f"{moved.arrives_at.astimezone(ZoneInfo(patient.time_zone)):%H:%M}" in after
    # The reminder was rebuilt for the new time; the old one will not go.
    old_reminder.refresh_from_db()
    assert old_reminder.status == Status.CANCELLED
    fresh = OutboxMessage.objects.get(
        session=second, kind=Kind.REMINDER_48H, schedule_version=2, status=Status.PENDING
    )
    assert fresh.due_at <= moved.arrives_at - timedelta(hours=24)
    assert OutboxMessage.objects.filter(kind=Kind.MOVED_BY_PATIENT, session=second).exists()
