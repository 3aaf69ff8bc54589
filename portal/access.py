"""Which course a patient's link opens, or why it opens none.

Every portal view starts here: the token names the course, its patient and the
link version; it must be signed, younger than the clinic's ``patient_link_days``,
of the course's current link version, and for a booked course. Nothing else
from the request identifies the patient.
"""

from __future__ import annotations

from clinic.models import Clinic
from courses.models import Course, CourseStatus
from patients.models import Patient
from reminders import links


def open_course(token: str, clinic: Clinic | None = None) -> Course:
    """The link's course, or ``links.LinkError`` saying why the link shows nothing."""
    clinic = clinic or Clinic.current()
    try:
        link = links.read_course_token(token, max_age_days=clinic.patient_link_days)
    except links.LinkError as error:
        if error.reason == "link_expired":  # genuine but old: its page in the patient's language
            old = links.read_course_token(token, max_age_days=None)
            error.patient = Patient.objects.filter(pk=old.patient_id).first()
        raise
    course = (
        Course.objects.select_related("patient", "indication", "area", "practitioner__user")
        .filter(pk=link.course_id, patient_id=link.patient_id)
        .exclude(status=CourseStatus.DRAFT)
        .first()
    )
    if course is None:
        raise links.LinkError("tampered")
    if course.patient_link_version != link.version:
        raise links.LinkError("revoked", patient=course.patient)
    return course


def link_for(course: Course) -> str:
    """The current link to ``course``'s page (what a message carries)."""
    return links.course_link(course.pk, course.patient_id, course.patient_link_version)


def course_for_new_link(token: str) -> Course:
    """The course a link names even when it has expired or been revoked (to send a new link
    to the contact on file, never to show it); ``links.LinkError("tampered")`` otherwise."""
    link = links.read_course_token(token, max_age_days=None)
    course = (
        Course.objects.select_related("patient")
        .filter(pk=link.course_id, patient_id=link.patient_id)
        .exclude(status=CourseStatus.DRAFT)
        .first()
    )
    if course is None:
        raise links.LinkError("tampered")
    return course
