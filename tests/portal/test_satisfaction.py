"""The patient says how satisfied they are after a session, on their course page (issue #19)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Satisfaction, Session, SessionStatus
from courses.outcome_records import SatisfactionSource
from reminders import links
from tests.factories import ClinicFactory


@pytest.fixture
def course(book):
    ClinicFactory(phone="+44 20 7946 0000")
    course = book(sessions_planned=4)
    first = course.sessions.order_by("arrives_at").first()
    Session.objects.filter(pk=first.pk).update(status=SessionStatus.COMPLETED)  # set-up
    return course


def token(course):
    return links.course_token(course.pk, course.patient_id, course.patient_link_version)


def rate(client, course, ordinal, score):
    url = reverse("portal:satisfaction", args=[token(course), ordinal])
    return client.post(url, {"score": score})


def test_the_page_asks_after_a_session_done_only(client, course):
    page = client.get(reverse("portal:course", args=[token(course)])).content.decode()
    assert 'data-testid="satisfaction-1"' in page
    assert 'data-testid="satisfaction-2"' not in page


def test_the_patients_score_is_saved_as_theirs_and_shown_back(client, course):
    response = rate(client, course, 1, "7")
    assert response.status_code == 302
    assert response["Location"].endswith("#session-1")
    saved = Satisfaction.objects.get()
    assert (saved.score, saved.source) == (7, SatisfactionSource.PATIENT)
    page = client.get(response["Location"]).content.decode()
    assert "You said 7 out of 10." in page
    rate(client, course, 1, "9")  # a change of mind replaces it
    assert list(Satisfaction.objects.values_list("score", flat=True)) == [9]


@pytest.mark.parametrize("score", ["11", "-1", "abc", "", "7\x00", "1e1"])
def test_a_score_outside_zero_to_ten_is_refused(client, course, score):
    response = rate(client, course, 1, score)
    assert response.status_code == 400
    assert "Please choose a number from 0 to 10." in response.content.decode()
    assert not Satisfaction.objects.exists()


def test_a_session_not_yet_done_cannot_be_rated(client, course):
    response = rate(client, course, 2, "8")
    assert response.status_code == 400
    assert "once a session has taken place" in response.content.decode()
    assert not Satisfaction.objects.exists()


@pytest.mark.parametrize("ordinal", [0, 99])
def test_a_session_the_course_does_not_have_is_not_found(client, course, ordinal):
    assert rate(client, course, ordinal, "8").status_code == 404
    assert not Satisfaction.objects.exists()


def test_a_tampered_link_changes_nothing(client, course):
    url = reverse("portal:satisfaction", args=[token(course)[:-2] + "xx", 1])
    response = client.post(url, {"score": "8"})
    assert 400 <= response.status_code < 500
    assert not Satisfaction.objects.exists()


def test_the_russian_page_asks_in_russian(client, course):
    course.patient.language = "ru"
    course.patient.save()
    page = client.get(reverse("portal:course", args=[token(course)])).content.decode()
    assert "Насколько вы довольны результатом" in page
