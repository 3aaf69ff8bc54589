"""Reads about courses that more than one screen shows (no writes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils.translation import gettext

from clinic.models import Clinic
from courses import rules
from courses.models import HOLDING_STATUSES, Course, CourseStatus, Session
from courses.services import clinic_tz, treatment_rules
from patients.models import Patient, RecordSource, Screening
from patients.selectors import HomeCare, home_care


def clinic_session_times(patient: Patient) -> list[datetime]:
    """When the patient comes to the clinic (every course; not cancelled or missed): the
    sessions a home roller keeps its quiet days from (DOMAIN.md, "Home care")."""
    return list(
        Session.objects.filter(patient=patient, status__in=HOLDING_STATUSES).values_list(
            "arrives_at", flat=True
        )
    )


def patient_home_care(patient: Patient, clinic: Clinic, *, now: datetime) -> HomeCare | None:
    """The patient's home roller and its log, checked against their clinic sessions."""
    return home_care(patient, session_times=clinic_session_times(patient), clinic=clinic, now=now)


def interleave_warnings(
    course: Course, days: list[date] | None = None, rule_set: rules.TreatmentRules | None = None
) -> list[str]:
    """Warnings for the patient's other running courses on the same region (reads only).

    ``days`` are this course's session days (local dates); by default its booked ones.
    """
    tz = clinic_tz()
    if days is None:
        days = [
            a.astimezone(tz).date()
            for a in course.sessions.filter(status__in=HOLDING_STATUSES).values_list(
                "arrives_at", flat=True
            )
        ]
    others = (
        Course.objects.filter(
            patient_id=course.patient_id,
            status__in=[CourseStatus.PLANNED, CourseStatus.IN_PROGRESS],
            area__region=course.area.region,
        )
        .exclude(pk=course.pk)
        .select_related("indication", "area")
        .prefetch_related("sessions")
    )
    found = [
        rules.OtherCourse(
            label=gettext("the %(indication)s course on the %(area)s")
            % {"indication": other.indication.name.lower(), "area": other.area.name.lower()},
            needle_mm=other.needle_mm,
            days=tuple(
                s.arrives_at.astimezone(tz).date()
                for s in other.sessions.all()
                if s.status in HOLDING_STATUSES
            ),
        )
        for other in others
    ]
    return rules.interleave_warnings(
        rule_set or treatment_rules(), needle_mm=course.needle_mm, days=days, others=found
    )


def latest_previsit(session_ids: Iterable[int]) -> dict[int, Screening]:
    """Each session's latest patient-reported screening (issue #17), by session id; one query.

    The patient may answer more than once; the latest counts, the earlier ones are kept.
    """
    latest: dict[int, Screening] = {}
    answers = Screening.objects.filter(
        session_id__in=list(session_ids), source=RecordSource.PATIENT
    ).order_by("-taken_at", "-id")
    for record in answers:
        if record.session_id is not None:
            latest.setdefault(record.session_id, record)
    return latest
