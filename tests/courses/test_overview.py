"""Courses overview: progress, next session and drifting courses."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from courses import rescheduling
from courses.overview import course_problems
from courses.rules import TreatmentRules
from tests.factories import PractitionerFactory, cleared_patient
from tests.queries import queries_to_get

TODAY = date(2026, 6, 1)
RULES = TreatmentRules()


@pytest.mark.parametrize(
    ("needle", "remaining", "last", "next_", "overridden", "expected"),
    [
        ("0.5", 3, date(2026, 5, 11), date(2026, 6, 8), False, []),
        ("0.5", 0, date(2026, 5, 11), None, False, []),
        ("0.5", 2, date(2026, 5, 11), None, False, ["No next session booked"]),
        ("0.5", 2, None, None, False, ["No next session booked"]),
        ("0.5", 2, date(2026, 4, 1), None, False,
         ["No next session booked", "Overdue: 8 weeks since the last session"]),
        ("0.5", 2, date(2026, 4, 20), None, False, ["No next session booked"]),  # exactly 6 weeks
        ("1.5", 2, date(2026, 5, 25), date(2026, 6, 15), False,
         ["Next gap: A gap of 3 weeks is shorter than the 4-week minimum for 1.5 mm needles."]),
        ("0.5", 2, date(2026, 4, 1), date(2026, 6, 2), False,
         ["Next gap: A gap of 8.9 weeks is longer than the 6-week maximum."]),
        ("0.5", 2, date(2026, 4, 1), date(2026, 6, 2), True, []),
        ("0.5", 2, None, date(2026, 6, 2), False, []),
    ],
)  # fmt: skip
def test_course_problems(needle, remaining, last, next_, overridden, expected):
    found = course_problems(
        RULES, needle_mm=Decimal(needle), remaining=remaining, last_day=last, next_day=next_,
        today=TODAY, gap_overridden=overridden,
    )  # fmt: skip
    assert found == expected


@pytest.fixture
def booked(book):
    return book(sessions_planned=4)


def overview(client, **params):
    response = client.get(reverse("courses:overview"), params)
    assert response.status_code == 200
    return response


def test_overview_shows_progress_and_next_session(client, practitioner, booked):
    client.force_login(practitioner.user)
    [row] = overview(client).context["rows"]
    assert row.course == booked
    assert (row.done, row.planned, row.problems) == (0, 4, [])
    assert row.next_at == booked.sessions.get(number=1).arrives_at
    assert "0 of 4" in overview(client).content.decode()


def test_overview_puts_drifting_courses_first(client, practitioner, book, booked, time_machine):
    other = book(patient=cleared_patient(practitioner.user), sessions_planned=4)
    for number in (2, 3):  # leaves a 9-week gap between sessions 1 and 4
        session = other.sessions.get(number=number)
        rescheduling.cancel_session(session=session, reason="", cancelled_by=practitioner.user)
    time_machine.move_to("2026-01-07 12:00Z", tick=False)  # after session 1
    client.force_login(practitioner.user)
    rows = overview(client).context["rows"]
    assert [r.course for r in rows] == [other, booked]
    assert rows[0].problems == ["Next gap: A gap of 9 weeks is longer than the 6-week maximum."]
    assert [r.course for r in overview(client, attention="1").context["rows"]] == [other]
    assert "9 weeks" in overview(client, attention="1").content.decode()


def test_overview_filters_by_practitioner(client, practitioner, booked):
    client.force_login(practitioner.user)
    other = PractitionerFactory()
    assert len(overview(client, practitioner=practitioner.pk).context["rows"]) == 1
    assert overview(client, practitioner=other.pk).context["rows"] == []
    assert client.get(reverse("courses:overview"), {"practitioner": "999"}).status_code == 400


@pytest.mark.parametrize("chosen", ["²", "٣", "-1", "1.0", "abc", str(2**63), " 1"])
def test_overview_refuses_a_practitioner_filter_that_is_not_an_id(client, practitioner, chosen):
    client.force_login(practitioner.user)
    response = client.get(reverse("courses:overview"), {"practitioner": chosen})
    assert response.status_code == 400
    assert "No such practitioner." in response.content.decode()


def test_overview_query_count_does_not_grow_with_courses(client, practitioner, book, booked):
    client.force_login(practitioner.user)

    before = queries_to_get(client, reverse("courses:overview"))
    for _ in range(3):
        book(patient=cleared_patient(practitioner.user), sessions_planned=4)
    assert len(overview(client).context["rows"]) == 4
    assert queries_to_get(client, reverse("courses:overview")) == before
