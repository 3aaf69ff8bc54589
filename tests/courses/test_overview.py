"""Courses overview: progress, next session and drifting courses."""

from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from clinic.actors import SystemActor, system_actor
from courses import rescheduling
from courses.overview import course_problems
from courses.rules import TreatmentRules
from tests.factories import PractitionerFactory, cleared_patient
from tests.queries import queries_to_get

TODAY = date(2026, 6, 1)
RULES = TreatmentRules()
TZ = ZoneInfo("Europe/London")


def d(month, day):
    return date(2026, month, day)


@pytest.mark.parametrize(
    ("needle", "remaining", "last", "next_", "days", "overridden", "expected"),
    [
        ("0.5", 3, d(5, 11), d(6, 8), [d(5, 11), d(6, 8)], False, []),
        ("0.5", 0, d(5, 11), None, [d(5, 11)], False, []),
        ("0.5", 2, d(5, 11), None, [d(5, 11)], False, ["No next session booked"]),
        ("0.5", 2, None, None, [], False, ["No next session booked"]),
        ("0.5", 2, d(4, 1), None, [d(4, 1)], False,
         ["No next session booked", "Overdue: 8 weeks since the last session"]),
        ("0.5", 2, d(4, 20), None, [d(4, 20)], False, ["No next session booked"]),  # 6 weeks
        ("1.5", 2, d(5, 25), d(6, 15), [d(5, 25), d(6, 15)], False,
         ["Gap before session 2: A gap of 3 weeks is shorter than the 4-week minimum for 1.5 mm "
          "needles."]),
        ("0.5", 2, d(4, 1), d(6, 2), [d(4, 1), d(6, 2)], False,
         ["Gap before session 2: A gap of 8.9 weeks is longer than the 6-week maximum."]),
        ("0.5", 2, d(4, 1), d(6, 2), [d(4, 1), d(6, 2)], True, []),
        ("0.5", 2, None, d(6, 2), [d(6, 2)], False, []),
        # The case: on track up to the next session, but a later gap of 6.7 weeks.
        ("0.5", 3, d(5, 25), d(6, 8), [d(5, 25), d(6, 8), d(7, 27)], False,
         ["Gap before session 3: A gap of 7 weeks is longer than the 6-week maximum."]),
        ("0.5", 3, d(5, 25), d(6, 8), [d(5, 25), d(6, 8), d(7, 25)], False,
         ["Gap before session 3: A gap of 6.7 weeks is longer than the 6-week maximum."]),
    ],
)  # fmt: skip
def test_course_problems(needle, remaining, last, next_, days, overridden, expected):
    found = course_problems(
        RULES, needle_mm=Decimal(needle), planned=len(days), remaining=remaining,
        last_day=last, next_day=next_, days=days, today=TODAY, gap_overridden=overridden,
    )  # fmt: skip
    assert found == expected


@pytest.mark.parametrize(
    ("planned", "holding", "short"), [(4, 4, False), (4, 3, True), (6, 0, True)]
)
def test_a_course_with_fewer_sessions_than_planned_needs_attention(planned, holding, short):
    days = [d(6, 8) + timedelta(weeks=3 * i) for i in range(holding)]
    found = course_problems(
        RULES, needle_mm=Decimal("0.5"), planned=planned, remaining=planned, last_day=None,
        next_day=days[0] if days else None, days=days, today=TODAY, gap_overridden=False,
    )  # fmt: skip
    message = f"Only {holding} of the {planned} planned sessions are booked or done"
    assert any(p.startswith(message) for p in found) == short


def test_overview_and_course_page_both_flag_a_session_the_patient_cancelled(
    client, practitioner, booked
):
    rescheduling.cancel_session(
        session=booked.sessions.get(number=2),
        reason="by link",
        actor=system_actor(SystemActor.PATIENT_LINK),
    )
    client.force_login(practitioner.user)
    [row] = overview(client).context["rows"]
    expected = "Only 3 of the 4 planned sessions are booked or done"
    assert any(p.startswith(expected) for p in row.problems)
    page = client.get(reverse("courses:detail", args=[booked.pk])).content.decode()
    assert expected in page


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
        rescheduling.cancel_session(
            session=session, reason="Patient unwell", actor=practitioner.user
        )
    time_machine.move_to("2026-01-07 12:00Z", tick=False)  # after session 1
    client.force_login(practitioner.user)
    rows = overview(client).context["rows"]
    assert [r.course for r in rows] == [other, booked]
    assert rows[0].problems == [
        "Gap before session 2: A gap of 9 weeks is longer than the 6-week maximum.",
        "Only 2 of the 4 planned sessions are booked or done (some were cancelled or missed): "
        "book a replacement session.",
    ]
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


def test_overview_and_course_page_agree_on_a_later_gap(client, practitioner, booked):
    """The page warned of a 6.7-week gap while the overview said "On track"."""
    third, last = booked.sessions.get(number=3), booked.sessions.get(number=4)
    later = third.arrives_at.astimezone(TZ).date() + timedelta(days=48)  # Mon 6 Apr
    rescheduling.reschedule_session(
        session=last, new_day=later, new_time=time(10), scope="this", reason="Trip",
        override_reason="Patient travels", actor=practitioner.user,
    )  # fmt: skip
    client.force_login(practitioner.user)
    page = client.get(reverse("courses:detail", args=[booked.pk])).content.decode()
    assert "A gap of 6.9 weeks is longer than the 6-week maximum." in page
    [row] = overview(client).context["rows"]
    assert row.problems == [
        "Gap before session 4: A gap of 6.9 weeks is longer than the 6-week maximum."
    ]
    assert "On track" not in overview(client).content.decode()
