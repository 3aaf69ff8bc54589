import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from clinic.actors import SystemActor, system_actor
from courses import session_day
from courses.models import Course
from patients import services as patient_services
from patients.screening import Answers
from planner.demo import load_demo_data
from tests.browser import ARTIFACTS, log_in
from tests.factories import staff_actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTDOWN = "document.querySelector('[data-testid=board-countdown]').textContent"


def seconds_left(page):
    # A locator's wait: the CSP refuses the eval behind wait_for_function's strings.
    expect(page.get_by_test_id("board-countdown")).to_contain_text(":")
    minutes, seconds = re.fullmatch(r"(\d\d):(\d\d)", page.evaluate(COUNTDOWN)).groups()
    return int(minutes) * 60 + int(seconds)


def test_today_board_shows_a_cream_countdown_that_moves(page, time_machine):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    course = Course.objects.get(patient__email="emma.clarke@example.com")
    session = course.sessions.order_by("arrives_at").first()
    time_machine.move_to(session.arrives_at - timedelta(minutes=5), tick=True)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=course.practitioner.user
    )
    procedure = session_day.check_in(session=session, actor=course.practitioner.user)
    session_day.put_cream_on(session=session, version=procedure.version, actor=staff_actor())

    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    rows = page.get_by_test_id("board-row")
    assert rows.count() == 1
    assert "Emma Clarke" in rows.first.inner_text()
    assert "Cream on" in rows.first.inner_text()
    first = seconds_left(page)
    assert 1190 <= first <= 1200
    page.wait_for_timeout(2200)
    assert seconds_left(page) < first
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "today-board.png"), full_page=True)


def inside_the_screen(page, locator):
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return (
        locator.is_visible()
        and box is not None
        and box["x"] >= 0
        and (box["x"] + box["width"] <= width)
    )


def test_phone_board_shows_phase_and_alerts_without_scrolling_sideways(page, time_machine):
    anna = load_demo_data(actor=system_actor(SystemActor.DEMO))[0]
    course = Course.objects.get(patient__email="emma.clarke@example.com")
    session = course.sessions.order_by("arrives_at").first()
    time_machine.move_to(session.arrives_at - timedelta(minutes=5), tick=True)
    page.set_viewport_size({"width": 390, "height": 844})

    log_in(page, anna.username, anna.password)
    page.wait_for_url("**/")
    row = page.get_by_test_id("board-row").first
    phase = row.get_by_test_id("board-phase")
    alerts = row.get_by_test_id("board-alerts")
    assert phase.inner_text() == "Expected"
    assert "Screening to re-confirm" in alerts.inner_text()
    assert "First session of the course" in alerts.inner_text()
    assert inside_the_screen(page, phase)
    assert inside_the_screen(page, alerts)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=course.practitioner.user
    )
    procedure = session_day.check_in(session=session, actor=course.practitioner.user)
    session_day.put_cream_on(session=session, version=procedure.version, actor=staff_actor())
    page.reload()
    phase = page.get_by_test_id("board-row").first.get_by_test_id("board-phase")
    assert "Cream on" in phase.inner_text()
    seconds_left(page)  # the countdown runs
    assert inside_the_screen(page, phase)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "today-board-phone.png"), full_page=True)
