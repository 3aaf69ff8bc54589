"""The report's outcomes: average improvement per indication and needle length (issue #19)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from courses import outcome_services
from courses.models import Session, SessionStatus
from tests.factories import cleared_patient, manager_user
from tests.mfa import force_verified_login
from tests.queries import queries_to_get

PERIOD = {"first_day": "2026-01-01", "last_day": "2026-03-31"}


def graded(course, by, baseline, grades, scores=()):
    """Mark the first sessions done and grade them (the set-up a practitioner would do)."""
    sessions = list(course.sessions.order_by("arrives_at")[: len(grades)])
    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(status=SessionStatus.COMPLETED)
    if baseline is not None:
        outcome_services.record_grade(course=course, session=None, grade=baseline, actor=by)
    for index, (session, grade) in enumerate(zip(sessions, grades, strict=True)):
        session.refresh_from_db()
        score = scores[index] if index < len(scores) else None
        outcome_services.record_visit(course=course, session=session, grade=grade,
                                      satisfaction=score, actor=by)  # fmt: skip
    return course


@pytest.fixture
def courses(book, practitioner, patient):
    by = practitioner.user
    first = graded(book(sessions_planned=4), by, 5, [4, 3], [6, 8])
    second = graded(book(patient=cleared_patient(by), sessions_planned=4), by, 4, [3], [5])
    ungraded = graded(book(patient=cleared_patient(by), sessions_planned=4), by, None, [2])
    deeper = graded(book(patient=cleared_patient(by), sessions_planned=4,
                         needle_mm=Decimal("1.0")), by, 5, [5])  # fmt: skip
    return first, second, ungraded, deeper


def test_the_report_averages_improvement_per_indication_and_needle(client, courses):
    force_verified_login(client, manager_user())
    response = client.get(reverse("report"), PERIOD)
    groups = {(g.indication, g.needle_mm): g for g in response.context["outcomes"]}
    shallow = groups[("Wrinkles", Decimal("0.5"))]
    # 5 -> 3 (gain 2) and 4 -> 3 (gain 1); the course without a baseline is left out
    assert (shallow.courses, shallow.mean_baseline, shallow.mean_latest) == (2, 4.5, 3)
    assert (shallow.mean_improvement, shallow.mean_satisfaction) == (1.5, 6.5)
    deep = groups[("Wrinkles", Decimal("1.0"))]
    assert (deep.courses, deep.mean_improvement, deep.mean_satisfaction) == (1, 0, None)
    assert 'data-testid="outcome-report"' in response.content.decode()


def test_a_period_without_graded_sessions_has_no_outcomes(client, courses):
    force_verified_login(client, manager_user())
    response = client.get(reverse("report"), {"first_day": "2026-06-01", "last_day": "2026-06-30"})
    assert response.context["outcomes"] == []
    assert 'data-testid="no-outcomes"' in response.content.decode()


def test_the_outcomes_csv_has_the_table(client, courses):
    force_verified_login(client, manager_user())
    response = client.get(reverse("report_outcomes_csv"), PERIOD)
    assert response.status_code == 200
    assert 'filename="clinic-outcomes-20260101-20260331.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["indication", "scale", "needle (mm)", "courses"]
    assert rows[1] == ["Wrinkles", "Wrinkle severity (1-5)", "0.50", "2", "4.5", "3", "1.5", "6.5"]
    assert rows[2] == ["Wrinkles", "Wrinkle severity (1-5)", "1.00", "1", "5", "5", "0", ""]


def test_a_bad_period_for_the_csv_says_why(client, db):
    force_verified_login(client, manager_user())
    response = client.get(reverse("report_outcomes_csv"), {"first_day": "2026-13-01"})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


def test_the_outcomes_query_count_does_not_grow_with_data(client, book, practitioner, courses):
    force_verified_login(client, manager_user())
    before = queries_to_get(client, reverse("report"), PERIOD)
    by = practitioner.user
    graded(book(patient=cleared_patient(by), sessions_planned=6), by, 5, [4, 4, 3], [7, 7, 8])
    assert queries_to_get(client, reverse("report"), PERIOD) == before
