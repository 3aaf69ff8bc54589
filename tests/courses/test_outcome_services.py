"""Recording grades and satisfaction (courses.outcome_services), and the course page's
outcome section."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.actors import SystemActor, system_actor
from courses import outcome_services
from courses.booking import CourseError
from courses.models import OutcomeGrade, Satisfaction, Session, SessionStatus
from courses.outcome_records import SatisfactionSource
from tests.factories import reception_user


def performed(course, count=1):
    """The course's first ``count`` sessions, done (set directly: this is the set-up)."""
    sessions = list(course.sessions.order_by("arrives_at")[:count])
    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(status=SessionStatus.COMPLETED)
    for session in sessions:
        session.refresh_from_db()
    return sessions


@pytest.fixture
def course(book):
    return book()


def test_wrinkles_are_graded_on_the_wrinkle_severity_scale(course):
    assert outcome_services.course_scale(course).high == 5


def test_a_baseline_and_a_performed_session_are_graded(course, practitioner):
    (first,) = performed(course)
    outcome_services.record_grade(course=course, session=None, grade=4, actor=practitioner.user)
    outcome_services.record_grade(course=course, session=first, grade=3, actor=practitioner.user)
    grades = {g.session_id: (g.grade, g.scale, g.recorded_by) for g in course.grades.all()}
    assert grades == {None: (4, "wrinkle_severity", practitioner.user),
                      first.pk: (3, "wrinkle_severity", practitioner.user)}  # fmt: skip


def test_grading_again_corrects_the_grade_in_place(course, practitioner):
    outcome_services.record_grade(course=course, session=None, grade=4, actor=practitioner.user)
    outcome_services.record_grade(course=course, session=None, grade=5, actor=practitioner.user)
    assert list(course.grades.values_list("grade", flat=True)) == [5]


@pytest.mark.parametrize("grade", [0, 6, -1, 99])
def test_a_grade_outside_the_scale_is_refused_and_nothing_is_written(course, practitioner, grade):
    with pytest.raises(CourseError) as refused:
        outcome_services.record_grade(
            course=course, session=None, grade=grade, actor=practitioner.user
        )
    assert refused.value.codes == ["grade_out_of_range"]
    assert "from 1 to 5" in str(refused.value)
    assert not OutcomeGrade.objects.exists()


def test_a_session_not_yet_performed_is_not_graded(course, practitioner):
    upcoming = course.sessions.first()
    with pytest.raises(CourseError) as refused:
        outcome_services.record_grade(
            course=course, session=upcoming, grade=3, actor=practitioner.user
        )
    assert refused.value.codes == ["not_performed"]


def test_a_session_of_another_course_is_refused(book, course, practitioner, patient):
    other = book(start_on=course.sessions.last().arrives_at.date().replace(year=2027))
    (theirs,) = performed(other)
    with pytest.raises(CourseError) as refused:
        outcome_services.record_grade(course=course, session=theirs, grade=3,
                                      actor=practitioner.user)  # fmt: skip
    assert refused.value.codes == ["other_course"]


def test_the_front_desk_grades_nothing(course, db):
    with pytest.raises(PermissionDenied):
        outcome_services.record_grade(course=course, session=None, grade=3,
                                      actor=reception_user(username="desk"))  # fmt: skip


def test_a_course_keeps_the_scale_it_was_first_graded_on(course, practitioner):
    outcome_services.record_grade(course=course, session=None, grade=5, actor=practitioner.user)
    course.indication.outcome_scale = "score_0_10"
    course.indication.save()
    (first,) = performed(course)
    with pytest.raises(CourseError):  # 7 is on the 0-10 score, not on the severity scale
        outcome_services.record_grade(course=course, session=first, grade=7,
                                      actor=practitioner.user)  # fmt: skip


def test_the_patient_link_gives_satisfaction_marked_as_the_patients(course):
    (first,) = performed(course)
    outcome_services.record_satisfaction(
        session=first, score=8, actor=system_actor(SystemActor.PATIENT_LINK)
    )
    saved = Satisfaction.objects.get()
    assert (saved.score, saved.source) == (8, SatisfactionSource.PATIENT)


def test_a_visit_saves_its_grade_and_score_together_or_neither(course, practitioner):
    (first,) = performed(course)
    with pytest.raises(CourseError):
        outcome_services.record_visit(course=course, session=first, grade=2, satisfaction=11,
                                      actor=practitioner.user)  # fmt: skip
    assert not OutcomeGrade.objects.exists()
    assert not Satisfaction.objects.exists()


def test_the_outcome_reads_a_fixed_number_of_queries(course, practitioner):
    sessions = performed(course, 4)
    outcome_services.record_grade(course=course, session=None, grade=5, actor=practitioner.user)
    for step, session in enumerate(sessions, start=1):
        outcome_services.record_visit(course=course, session=session, grade=5 - step // 2,
                                      satisfaction=5 + step, actor=practitioner.user)  # fmt: skip
    rows = list(course.sessions.all())
    with CaptureQueriesContext(connection) as queries:
        outcome = outcome_services.course_outcome(course, rows)
    assert len(queries) == 3
    assert [v.grade for v in outcome.visits] == [5, 5, 4, 4, 3]
    assert [v.satisfaction for v in outcome.visits] == [None, 6, 7, 8, 9]
    assert outcome.improvement == 2


def test_the_course_page_charts_exactly_the_recorded_grades(course, practitioner, client):
    sessions = performed(course, 2)
    client.force_login(practitioner.user)
    url = reverse("courses:outcomes", args=[course.pk])
    posts = [{"visit": "baseline", "grade": "5"},
             {"visit": str(sessions[0].pk), "grade": "4", "satisfaction": "6"},
             {"visit": str(sessions[1].pk), "grade": "2", "satisfaction": "9"}]  # fmt: skip
    for data in posts:
        assert client.post(url, data).status_code == 302
    page = client.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert page.count('data-testid="grade-point"') == 3
    assert [int(v) for v in _values(page, "grade-point")] == [5, 4, 2]
    assert [int(v) for v in _values(page, "satisfaction-point")] == [6, 9]
    assert "From grade 5 at baseline to 2 at the latest session." in page


def _values(page: str, testid: str) -> list[str]:
    marker = f'data-testid="{testid}" data-value="'
    return [chunk.split('"', 1)[0] for chunk in page.split(marker)[1:]]


@pytest.mark.parametrize(
    "data",
    [{"visit": "baseline", "grade": "9"}, {"visit": "baseline", "grade": "x"},
     {"visit": "baseline", "grade": "2\x00"}, {"visit": "999999", "grade": "2"},
     {"visit": "baseline", "satisfaction": "5"}, {"visit": "baseline", "satisfaction": "11"},
     {}],
)  # fmt: skip
def test_bad_outcome_input_is_refused_with_a_reason_and_nothing_saved(
    course, practitioner, client, data
):
    client.force_login(practitioner.user)
    response = client.post(reverse("courses:outcomes", args=[course.pk]), data)
    assert response.status_code == 400
    assert 'data-testid="outcome-error"' in response.content.decode()
    assert not OutcomeGrade.objects.exists()
    assert not Satisfaction.objects.exists()


def test_the_front_desk_sees_no_outcomes_and_cannot_post_them(course, reception_client):
    page = reception_client.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert 'id="outcomes"' not in page
    response = reception_client.post(reverse("courses:outcomes", args=[course.pk]),
                                     {"visit": "baseline", "grade": "3"})  # fmt: skip
    assert response.status_code == 403
    assert not OutcomeGrade.objects.exists()


def test_a_value_chosen_as_none_clears_what_was_recorded(course, practitioner, client):
    (first,) = performed(course)
    outcome_services.record_visit(course=course, session=first, grade=3, satisfaction=7,
                                  actor=practitioner.user)  # fmt: skip
    client.force_login(practitioner.user)
    url = reverse("courses:outcomes", args=[course.pk])
    assert client.post(url, {"visit": str(first.pk), "grade": "3"}).status_code == 302
    assert OutcomeGrade.objects.get().grade == 3
    assert not Satisfaction.objects.exists()
    assert client.post(url, {"visit": str(first.pk)}).status_code == 302
    assert not OutcomeGrade.objects.exists()


def test_a_refusal_is_said_at_the_top_of_the_page_too(course, practitioner, client):
    client.force_login(practitioner.user)
    response = client.post(reverse("courses:outcomes", args=[course.pk]),
                           {"visit": "baseline", "grade": "9"})  # fmt: skip
    page = response.content.decode()
    assert page.index("The outcome was not saved") < page.index('id="outcomes"')
