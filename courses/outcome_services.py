"""Recording how a course is working (issue #19): grades and satisfaction, and what the
course page and the report read back.

One rule each, every path: the staff's course page, the patient's course page (their
satisfaction), the admin and the API call these functions, which check the actor, the
session's state and the scale (``courses.outcomes``) before writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.actors import Actor, is_patient_link
from clinic.permissions import require
from courses import outcomes
from courses.booking import CourseError
from courses.models import Course, CourseStatus, Session, SessionStatus
from courses.outcome_records import OutcomeGrade, Satisfaction, SatisfactionSource

# Sessions whose result can be judged: the procedure was performed, whole or stopped short.
PERFORMED = (SessionStatus.COMPLETED, SessionStatus.STOPPED)


def course_scale(course: Course) -> outcomes.ScaleSpec:
    """The scale a course is graded on: the one its first grade used (the indication's
    setting may change later without mixing scales in one course), else the indication's."""
    first = course.grades.order_by("recorded_at", "pk").values_list("scale", flat=True).first()
    return outcomes.SCALES[outcomes.Scale(first or course.indication.outcome_scale)]


def _performed_session(course: Course, session: Session | None) -> Session | None:
    if session is None:
        return None
    session = Session.objects.get(pk=session.pk)  # its status now, not as the page saw it
    if session.course_id != course.pk:
        raise CourseError.single("other_course", gettext("That session is not of this course."))
    if session.status not in PERFORMED:
        raise CourseError.single(
            "not_performed", gettext("A session is graded once its procedure has been performed.")
        )
    return session


@transaction.atomic
def record_grade(
    *, course: Course, session: Session | None, grade: int, actor: Actor,
    now: datetime | None = None,
) -> OutcomeGrade:  # fmt: skip
    """Record (or correct) the baseline grade (``session`` None) or a performed session's
    grade, on the course's scale. A grade outside the scale is refused, nothing written."""
    require(actor, "courses.record_outcome", course)
    course = Course.objects.select_for_update().select_related("indication").get(pk=course.pk)
    if course.status == CourseStatus.DRAFT:
        raise CourseError.single("not_booked", gettext("A course is graded once it is booked."))
    session = _performed_session(course, session)
    spec = course_scale(course)
    problem = outcomes.grade_error(spec.scale, grade)
    if problem:
        raise CourseError.single("grade_out_of_range", problem)
    record, _ = OutcomeGrade.objects.update_or_create(
        course=course, session=session,
        defaults={"scale": spec.scale.value, "grade": grade,
                  "recorded_at": now or timezone.now(), "recorded_by": actor},
    )  # fmt: skip
    return record


@transaction.atomic
def record_satisfaction(
    *, session: Session, score: int, actor: Actor, now: datetime | None = None
) -> Satisfaction:
    """Record (or change) the patient's satisfaction after a performed session: from their
    course page (the patient's link) or entered by staff as the patient said it."""
    require(actor, "courses.record_satisfaction", session)
    session = _performed_session(session.course, session) or session
    problem = outcomes.satisfaction_error(score)
    if problem:
        raise CourseError.single("score_out_of_range", problem)
    source = SatisfactionSource.PATIENT if is_patient_link(actor) else SatisfactionSource.STAFF
    record, _ = Satisfaction.objects.update_or_create(
        session=session,
        defaults={"score": score, "source": source, "recorded_at": now or timezone.now(),
                  "recorded_by": actor},
    )  # fmt: skip
    return record


@dataclass(frozen=True)
class Visit:
    """One point of the course's outcome: the baseline or a performed session."""

    label: str
    session: Session | None
    grade: int | None
    satisfaction: int | None


@dataclass(frozen=True)
class CourseOutcome:
    spec: outcomes.ScaleSpec
    visits: list[Visit]
    chart: outcomes.OutcomeChart

    @property
    def baseline(self) -> int | None:
        return self.visits[0].grade

    @property
    def latest(self) -> int | None:
        return next((v.grade for v in reversed(self.visits[1:]) if v.grade is not None), None)

    @property
    def improvement(self) -> int | None:
        return outcomes.improvement(self.baseline, self.latest)


def course_outcome(course: Course, sessions: list[Session]) -> CourseOutcome:
    """The baseline and each performed session with its grade and satisfaction (two
    queries whatever the course's length), laid out as the chart draws them."""
    grades = {g.session_id: g.grade for g in course.grades.all()}
    scores = dict(
        Satisfaction.objects.filter(session__course=course).values_list("session_id", "score")
    )
    performed = [s for s in sessions if s.status in PERFORMED]
    visits = [Visit(gettext("Baseline"), None, grades.get(None), None)]
    for position, session in enumerate(performed, start=1):
        label = gettext("Session %(n)s") % {"n": position}
        visits.append(Visit(label, session, grades.get(session.pk), scores.get(session.pk)))
    spec = course_scale(course)
    chart = outcomes.outcome_chart(
        [v.label for v in visits], [v.grade for v in visits], [v.satisfaction for v in visits],
        spec,
    )  # fmt: skip
    return CourseOutcome(spec, visits, chart)


@transaction.atomic
def record_visit(
    *, course: Course, session: Session | None, grade: int | None, satisfaction: int | None,
    actor: Actor,
) -> None:  # fmt: skip
    """One visit's grade and satisfaction as the course page's row shows them, both or
    neither written: a value records (or corrects) it, none clears what was recorded (a
    mistaken entry; the change history keeps it)."""
    require(actor, "courses.record_outcome", course)
    if grade is not None:
        record_grade(course=course, session=session, grade=grade, actor=actor)
    else:
        OutcomeGrade.objects.filter(course=course, session=session).delete()
    if satisfaction is not None:
        if session is None:
            raise CourseError.single(
                "baseline_satisfaction", gettext("Satisfaction is given after a session.")
            )
        record_satisfaction(session=session, score=satisfaction, actor=actor)
    elif session is not None:
        Satisfaction.objects.filter(session=session).delete()
