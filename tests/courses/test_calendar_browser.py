"""The week calendar in Chromium: a planned course shows; free time opens the planner."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from courses import calendar
from courses.models import Course, CourseStatus
from planner.demo import load_demo_data
from tests.browser import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_free_slot_day(page) -> str:
    """The day (YYYY-MM-DD) of the first column offering free time."""
    return (
        page.get_by_test_id("cal-free")
        .first.locator("xpath=ancestor::section")
        .get_attribute("data-day")
    )


def test_week_calendar_shows_a_planned_course_and_opens_its_session(page):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    course = Course.objects.filter(practitioner__user__username=anna.username,
                                   status=CourseStatus.PLANNED).first()  # fmt: skip
    first = course.sessions.order_by("arrives_at").first()
    day = timezone.localdate(first.arrives_at)
    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/calendar/practitioner/*/week/*/")
    weeks_ahead = (calendar.week_of(day)[0] - calendar.week_of(timezone.localdate())[0]).days // 7
    for _ in range(weeks_ahead):
        page.get_by_test_id("cal-next").click()
    column = page.locator(f"[data-testid=cal-day][data-day='{day.isoformat()}']")
    booking = column.get_by_test_id("cal-booking").filter(has_text=course.patient.full_name)
    assert booking.count() >= 1
    text = booking.first.inner_text()
    assert timezone.localtime(first.arrives_at).strftime("%H:%M") in text
    assert first.get_status_display() in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "week-calendar.png"), full_page=True)
    booking.first.click()
    page.wait_for_url(f"**/courses/sessions/{first.pk}/")


def test_clicking_free_time_opens_the_planner_with_that_slot(page):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Calendar").click()
    page.get_by_test_id("cal-next").click()  # next week: every working day has free time
    free = page.get_by_test_id("cal-free").first
    label = free.get_attribute("aria-label")
    day, clock = next_free_slot_day(page), free.inner_text().split()[0]
    free.click()
    page.wait_for_url("**/calendar/plan/?at=*")
    picked = page.get_by_test_id("picked-time").inner_text()
    assert clock in picked, label
    assert "Anna" in picked
    page.get_by_label("Patient").fill("Clarke")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Plan a course here").first.click()
    page.wait_for_url("**/courses/new/for-patient/*/")
    assert page.get_by_label("First session on or after").input_value() == day
    assert page.get_by_label("Preferred time").input_value() == clock
    weekday = datetime.combine(date.fromisoformat(day), datetime.min.time()).strftime("%A")
    assert page.get_by_label("Preferred weekday").locator("option:checked").inner_text() == weekday
    assert "Anna" in page.get_by_label("Practitioner").locator("option:checked").inner_text()


def test_week_calendar_fits_a_tablet_and_works_by_keyboard(page):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright
    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    page.goto("/calendar/")
    page.get_by_test_id("cal-next").click()
    # The page itself never scrolls sideways; the week scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "week-calendar-tablet.png"))
    free = page.get_by_test_id("cal-free").first
    free.focus()
    clock = free.inner_text().split()[0]
    page.keyboard.press("Enter")
    page.wait_for_url("**/calendar/plan/?at=*")
    assert clock in page.get_by_test_id("picked-time").inner_text()
