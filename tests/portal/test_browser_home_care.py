"""The patient's course page on a phone, in real Chromium: logging a home use (issue #17)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from patients import services as patient_services
from patients.models import HomeUse
from reminders import links
from tests.factories import ClinicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_patient_logs_a_home_use_on_a_phone(page, book, practitioner, language):
    ClinicFactory(phone="+44 20 7946 0000")
    course = book(sessions_planned=4)
    course.patient.language = language
    course.patient.save()
    patient_services.recommend_home_roller(
        patient=course.patient, needle_mm=Decimal("0.25"), actor=practitioner.user,
        now=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    token = links.course_token(course.pk, course.patient_id, course.patient_link_version)
    page.goto(reverse("portal:course", args=[token]))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_test_id("uses-left")).to_have_text("8")
    expect(page.get_by_test_id("quiet-reminder")).to_be_visible()
    page.get_by_test_id("home-use-day").fill("2026-01-02")
    page.get_by_test_id("home-use-time").fill("11:15")
    page.get_by_test_id("home-use-disinfected").check()
    page.get_by_test_id("log-home-use").click()
    expect(page.get_by_test_id("notice-success")).to_be_visible()
    # Within the quiet days of session 1 (6 January): logged, with a warning.
    expect(page.get_by_test_id("notice-warning")).to_be_visible()
    expect(page.get_by_test_id("uses-left")).to_have_text("7")
    expect(page.get_by_test_id("home-use")).to_have_count(1)
    expect(page.get_by_test_id("home-use-quiet")).to_be_visible()
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    use = HomeUse.objects.get()
    assert use.disinfected
    assert use.roller.patient == course.patient


def test_an_expired_link_sends_a_new_one_on_a_phone(page, book, practitioner, time_machine):
    from reminders.models import Kind, OutboxMessage

    ClinicFactory(phone="+44 20 7946 0000")
    course = book(sessions_planned=4)
    patient = course.patient
    patient.email_consent_at = timezone.now()
    patient.save()
    token = links.course_token(course.pk, course.patient_id, course.patient_link_version)
    time_machine.shift(timedelta(days=31))
    page.set_viewport_size(PHONE)
    page.goto(reverse("portal:course", args=[token]))
    expect(page.get_by_test_id("link-error")).to_be_visible()
    page.get_by_test_id("new-link").click()
    expect(page.get_by_test_id("new-link-sent")).to_be_visible()
    [message] = OutboxMessage.objects.filter(kind=Kind.COURSE_LINK)
    assert message.recipient == patient.email
