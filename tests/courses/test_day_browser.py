import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from clinic.actors import SystemActor, system_actor
from clinic.models import Lot
from courses.models import AftercareSheet, Course, SessionStatus
from patients import services as patient_services
from patients.screening import Answers
from planner.demo import load_demo_data
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seconds_left(page):
    # A locator's wait, not a string of JavaScript: the CSP refuses eval (Playwright's
    # wait_for_function evaluates its string with it).
    expect(page.get_by_test_id("cream-countdown")).to_contain_text(":")
    text = page.get_by_test_id("cream-countdown").inner_text()
    match = re.fullmatch(r"(\d\d):(\d\d)", text)
    assert match, text
    return int(match[1]) * 60 + int(match[2])


def test_run_a_whole_session_with_the_cream_countdown(page, time_machine):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    course = Course.objects.get(patient__email="emma.clarke@example.com")  # 1.5 mm: cream
    session = course.sessions.order_by("arrives_at").first()
    time_machine.move_to(session.arrives_at - timedelta(minutes=5), tick=True)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=course.practitioner.user
    )

    log_in(page, anna.username, anna.password)
    page.goto(f"/courses/sessions/{session.pk}/")
    page.get_by_role("button", name="Check in").click()
    assert "Checked in" in page.locator(".alert-success").inner_text()
    page.get_by_role("button", name="Cream on now").click()

    first = seconds_left(page)
    assert 1190 <= first <= 1200
    page.wait_for_timeout(2200)
    assert seconds_left(page) < first  # it moves
    page.reload()
    assert seconds_left(page) <= first - 2  # computed from the stored time, not reset

    page.get_by_role("button", name="Cream washed off").click()
    assert "left" in page.locator(".alert-danger").inner_text()  # too early: refused

    time_machine.shift(timedelta(minutes=20))
    page.reload()
    expect(page.get_by_test_id("cream-countdown")).to_have_text("Wash off now")
    page.get_by_role("button", name="Cream washed off").click()
    assert "Cream washed off." in page.locator(".alert-success").inner_text()

    page.get_by_role("button", name="Area treated with antiseptic").click()
    page.locator("#materials_product").select_option(label="Fragmented hyaluronic acid serum")
    lots = page.locator("#materials_lot")
    assert "HA-2025-09" not in lots.inner_text()  # expired: not offered
    lots.select_option(value=str(Lot.objects.get(number="HA-2026-01").pk))
    page.locator("#materials_device").select_option(
        label="D-03 (Facial roller 192 (gold standard) 1.5 mm)"
    )
    page.get_by_role("button", name="Record product and device").click()
    assert "(lot HA-2026-01)" in page.locator("main").inner_text()
    page.get_by_role("button", name="Start needling").click()
    assert page.get_by_test_id("session-status").inner_text() == "In procedure"

    page.locator("#passes_zone").fill("cheeks")
    for direction in ("horizontal", "vertical", "diagonal"):
        page.locator(f"#passes_{direction}").fill("7")
    page.get_by_role("button", name="Record passes").click()
    assert "✔ yes" in page.get_by_test_id("zones").inner_text()
    page.get_by_role("button", name="Skin treated with antiseptic").click()
    page.get_by_label("End point observed").select_option("pinpoint_bleeding")
    page.get_by_role("button", name="Finish the session").click()
    assert "Session completed." in page.locator(".alert-success").inner_text()

    page.get_by_role("link", name="Aftercare sheet").click()
    sheet = page.get_by_test_id("aftercare").inner_text()
    assert "SPF 50+" in sheet
    assert "about a week" in sheet
    assert "When to call the clinic" in sheet
    assert "Call Demo Skin Clinic on +44 20 7946 0000 straight away" in sheet

    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the session")).to_be_hidden()
    expect(page.get_by_test_id("aftercare")).to_be_visible()
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert AftercareSheet.objects.filter(session=session).exists()


def test_check_in_is_refused_off_the_sessions_day_and_works_on_it(page, time_machine):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    course = Course.objects.get(patient__email="emma.clarke@example.com")
    first, second = course.sessions.order_by("arrives_at")[:2]
    time_machine.move_to(first.arrives_at - timedelta(minutes=5), tick=True)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=course.practitioner.user
    )

    log_in(page, anna.username, anna.password)
    page.goto(f"/courses/sessions/{second.pk}/")
    check_in = page.get_by_role("button", name="Check in")
    assert check_in.is_disabled()  # the page says why before anyone presses it
    assert "not today" in page.get_by_test_id("day-refusal").inner_text()
    check_in.evaluate("button => { button.disabled = false; }")  # a stale or forged page
    check_in.click()
    refusal = page.locator(".alert-danger").inner_text()
    assert "not today" in refusal
    assert "move the session to today first" in refusal
    assert page.get_by_test_id("session-status").inner_text() == "Scheduled"
    second.refresh_from_db()
    assert second.status == SessionStatus.SCHEDULED

    page.goto(f"/courses/sessions/{first.pk}/")
    page.get_by_role("button", name="Check in").click()
    assert "Checked in" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("session-status").inner_text() == "Checked in"
