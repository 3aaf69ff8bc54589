"""The patients' signed links, pressed in real Chromium (no login)."""

import pytest
from django.urls import reverse

from courses import services
from courses.models import Session, SessionStatus
from reminders import links
from tests.browser import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def booked(draft, reachable, practitioner):
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course.sessions.get(number=1)


def link(action, session):
    return reverse(f"reminders:{action}", args=[links.session_token(action, session.pk, 1)])


def test_patient_cancels_from_the_email_link_in_chromium(page, booked):
    page.goto(link("cancel", booked))
    page.get_by_role("button", name="Yes, cancel this session").click()
    assert "is cancelled" in page.get_by_test_id("link-done").inner_text()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.CANCELLED


def test_opening_the_confirm_link_changes_nothing_until_the_patient_presses_confirm(page, booked):
    page.goto(link("confirm", booked))  # what a mail scanner does
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.SCHEDULED
    page.goto(link("confirm", booked))  # the patient's own click
    page.get_by_role("button", name="Yes, I am coming").click()
    assert "See you on" in page.get_by_test_id("link-done").inner_text()
    assert Session.objects.get(pk=booked.pk).status == SessionStatus.CONFIRMED


def test_staff_cancel_asks_for_a_reason_and_a_confirmation(page, booked, practitioner):
    log_in(page, practitioner.user.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    second = booked.course.sessions.get(number=2)
    page.goto(reverse("courses:detail", args=[booked.course_id]))
    page.locator(f'a[href="{reverse("courses:session_cancel", args=[second.pk])}"]').click()
    page.get_by_label("Why cancel this session?").fill("Practitioner ill")
    page.get_by_role("button", name="Cancel this session").click()  # not ticked: still asking
    assert page.get_by_role("heading", name="Cancel session 2?").is_visible()
    assert Session.objects.get(pk=second.pk).status == SessionStatus.SCHEDULED
    page.get_by_label("Yes, cancel this session").check()
    page.get_by_role("button", name="Cancel this session").click()
    page.wait_for_url(f"**{reverse('courses:detail', args=[booked.course_id])}")
    assert "the patient is told" in page.locator(".alert-success").inner_text()
    assert Session.objects.get(pk=second.pk).status == SessionStatus.CANCELLED
