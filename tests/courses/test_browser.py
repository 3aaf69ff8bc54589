from datetime import date

import pytest

from clinic.actors import SystemActor, system_actor
from clinic.models import Closure
from courses.models import Course, CourseStatus
from planner.demo import load_demo_data
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def plan_six_fridays(page):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Clarke, Emma").click()
    page.get_by_role("link", name="Plan a course").click()

    page.get_by_label("Indication").select_option(label="Wrinkles")
    page.get_by_label("Treatment area").select_option(label="Face")
    page.get_by_label("Needle length (mm)").fill("0.5")
    page.get_by_label("Number of sessions").fill("6")
    page.get_by_label("Target gap (weeks)").fill("3")
    page.get_by_label("Preferred weekday").select_option(label="Friday")
    page.get_by_label("Preferred time").fill("12:00")
    page.get_by_role("button", name="Preview the course").click()
    rows = page.get_by_test_id("proposal").locator("tbody tr")
    assert rows.count() == 6
    return [(r.locator("td").nth(0).inner_text(), r.locator("td").nth(5).inner_text())
            for r in rows.all()]  # fmt: skip


def test_plan_a_course_for_a_demo_patient_and_see_six_dated_sessions(page, time_machine):
    # The clock is frozen: what the planner proposes depends on the day (this test
    # failed every Wednesday when the demo closure landed on a Friday).
    time_machine.move_to("2026-11-23 09:00Z", tick=True)  # a Monday
    plan_six_fridays(page)
    page.get_by_role("button", name="Confirm and book 6 sessions").click()
    page.wait_for_url("**/courses/*/")
    assert "Course booked: 6 sessions." in page.locator(".alert-success").inner_text()
    dates = page.get_by_test_id("session-date").all_inner_texts()
    assert [d.split(" 2026")[0].split(" 2027")[0] for d in dates] == [
        "Friday 27 November", "Friday 18 December", "Friday 8 January",
        "Friday 29 January", "Friday 19 February", "Friday 12 March",
    ]  # fmt: skip
    course = Course.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert course.indication.code == "wrinkles"
    assert course.status == CourseStatus.PLANNED
    assert course.sessions.count() == 6


def test_a_closure_detour_returns_to_the_preferred_friday(page, time_machine):
    time_machine.move_to("2026-11-25 09:00Z", tick=True)  # a Wednesday, as the issue saw
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    Closure.objects.create(
        starts_on=date(2026, 12, 18), ends_on=date(2026, 12, 18), reason="Fire drill"
    )
    cells = plan_six_fridays(page)
    days = [day for day, _ in cells]
    assert days[1].startswith("Thu 17 Dec")
    assert "the clinic is closed (Fire drill)" in cells[1][1]
    assert [d[:3] for d in days] == ["Fri", "Thu", "Fri", "Fri", "Fri", "Fri"]
    assert days[2].startswith("Fri 8 Jan 2027")


def test_refused_indication_explains_and_offers_the_alternative(page):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    page.goto("/patients/")
    page.get_by_role("link", name="Clarke, Emma").click()
    page.get_by_role("link", name="Plan a course").click()
    page.get_by_label("Indication").select_option(label="Cellulite")
    page.get_by_label("Treatment area").select_option(label="Body (stretch marks, body scars)")
    page.get_by_label("Needle length (mm)").fill("2.0")
    page.get_by_label("Target gap (weeks)").fill("5")
    page.get_by_role("button", name="Preview the course").click()
    refusal = page.get_by_test_id("refusals").inner_text()
    assert "does nothing to body fat" in refusal
    assert "Offer skin tightening on the body instead" in refusal
