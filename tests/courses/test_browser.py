import pytest

from clinic.demo import load_demo_data
from courses.models import Course, CourseStatus
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_a_course_for_a_demo_patient_and_see_six_dated_sessions(page):
    anna = load_demo_data()[0]
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
    # Every session is on the preferred Friday, except one a closure moved (the demo
    # closes the clinic on a Friday in December): that detour says so, and the next
    # session is back on a Friday.
    cells = [(r.locator("td").nth(0).inner_text(), r.locator("td").nth(5).inner_text())
             for r in rows.all()]  # fmt: skip
    detours = [i for i, (day, _) in enumerate(cells) if not day.startswith("Fri")]
    assert all("the clinic is closed" in cells[i][1] for i in detours)
    assert all(cells[i + 1][0].startswith("Fri") for i in detours if i + 1 < len(cells))
    page.get_by_role("button", name="Confirm and book 6 sessions").click()
    page.wait_for_url("**/courses/*/")
    assert "Course booked: 6 sessions." in page.locator(".alert-success").inner_text()
    dates = page.get_by_test_id("session-date").all_inner_texts()
    assert len(dates) == 6
    assert sum(not d.startswith("Friday") for d in dates) == len(detours)
    course = Course.objects.filter(indication__code="wrinkles").get()
    assert course.status == CourseStatus.PLANNED
    assert course.sessions.count() == 6


def test_refused_indication_explains_and_offers_the_alternative(page):
    anna = load_demo_data()[0]
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
