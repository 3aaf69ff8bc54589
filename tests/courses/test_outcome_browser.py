"""Outcomes in real Chromium (issue #19): a practitioner grades the course on its page and
sees the chart; the patient gives their satisfaction on their course page, on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from courses.models import OutcomeGrade, Satisfaction, Session, SessionStatus
from reminders import links
from tests.browser import log_in
from tests.factories import TEST_PASSWORD, ClinicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def course(book):
    ClinicFactory(phone="+44 20 7946 0000")
    course = book(sessions_planned=4)
    done = list(course.sessions.order_by("arrives_at")[:2])
    Session.objects.filter(pk__in=[s.pk for s in done]).update(status=SessionStatus.COMPLETED)
    return course


def test_a_practitioner_grades_the_course_and_sees_the_chart(page, course, practitioner):
    log_in(page, practitioner.user.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    page.goto(reverse("courses:detail", args=[course.pk]))
    rows = page.get_by_test_id("outcome-row")
    expect(rows).to_have_count(3)  # the baseline and the two sessions done
    rows.nth(0).get_by_label("Grade").select_option("4")
    rows.nth(0).get_by_role("button", name="Save").click()
    page.wait_for_url("**#outcomes")
    rows = page.get_by_test_id("outcome-row")
    rows.nth(1).get_by_label("Grade").select_option("3")
    rows.nth(1).get_by_label("Patient's satisfaction (0-10)").select_option("7")
    rows.nth(1).get_by_role("button", name="Save").click()
    page.wait_for_url("**#outcomes")
    expect(page.get_by_test_id("grade-point")).to_have_count(2)
    expect(page.get_by_test_id("satisfaction-point")).to_have_count(1)
    expect(page.get_by_test_id("improvement")).to_contain_text("From grade 4 at baseline to 3")
    assert sorted(OutcomeGrade.objects.values_list("grade", flat=True)) == [3, 4]
    # A grade off the scale, crafted: refused with the reason, nothing saved.
    select = page.get_by_test_id("outcome-row").nth(2).get_by_label("Grade")
    select.evaluate("s => { s.options[1].value = '9'; }")
    select.select_option(index=1)
    page.get_by_test_id("outcome-row").nth(2).get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("outcome-error")).to_contain_text("from 1 to 5")
    assert OutcomeGrade.objects.count() == 2


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_patient_gives_their_satisfaction_on_a_phone(page, course, language):
    course.patient.language = language
    course.patient.save()
    page.set_viewport_size(PHONE)
    token = links.course_token(course.pk, course.patient_id, course.patient_link_version)
    page.goto(reverse("portal:course", args=[token]))
    form = page.get_by_test_id("satisfaction-2")
    form.locator("select").select_option("8")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("notice-success")).to_be_visible()
    expect(page.get_by_test_id("satisfaction-given")).to_contain_text("8")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert Satisfaction.objects.get().score == 8
