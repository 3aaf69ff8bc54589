"""What the patient's course page shows: read-only, computed for one course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic
from courses import self_service, session_day
from courses.aftercare import build_aftercare
from courses.models import Course, Session, SessionStatus
from reminders import links

# What the patient reads for each status (the staff's words are the clinic's own).
PATIENT_STATUS: dict[str, Promise] = {
    SessionStatus.SCHEDULED: _("Booked"),
    SessionStatus.CONFIRMED: _("Confirmed"),
    SessionStatus.CHECKED_IN: _("In progress"),
    SessionStatus.CREAM_ON: _("In progress"),
    SessionStatus.CREAM_OFF: _("In progress"),
    SessionStatus.IN_PROCEDURE: _("In progress"),
    SessionStatus.COMPLETED: _("Done"),
    SessionStatus.STOPPED: _("Done"),
    SessionStatus.NO_SHOW: _("Missed"),
    SessionStatus.CANCELLED: _("Cancelled"),
}


@dataclass(frozen=True)
class SessionRow:
    """One session as the patient sees it."""

    session: Session
    ordinal: int  # 1, 2, ... among the course's sessions by time (cancelled ones included)
    status_label: Promise
    upcoming: bool
    confirm_url: str
    cancel_url: str
    aftercare: str  # the sheet of a session done, as things stand now
    movable: bool = False  # the patient may move it here (open, beyond the cut-off)


def session_rows(
    course: Course, *, now: datetime, cutoff_hours: int | None = None
) -> list[SessionRow]:
    sessions = list(
        course.sessions.select_related("procedure", "course__area", "course__patient").order_by(
            "arrives_at", "number"
        )
    )
    rows = []
    for ordinal, session in enumerate(sessions, start=1):
        upcoming = session.arrives_at > now
        can_confirm = upcoming and session.status == SessionStatus.SCHEDULED
        can_cancel = upcoming and session.is_open
        version = session.schedule_version
        rows.append(
            SessionRow(
                session=session,
                ordinal=ordinal,
                status_label=PATIENT_STATUS[session.status],
                upcoming=upcoming,
                confirm_url=links.session_link("confirm", session.pk, version)
                if can_confirm
                else "",
                cancel_url=links.session_link("cancel", session.pk, version) if can_cancel else "",
                aftercare=_aftercare(session, now),
                movable=cutoff_hours is not None
                and can_cancel
                and course.is_editable
                and not self_service.within_cutoff(
                    session.arrives_at, now=now, cutoff_hours=cutoff_hours
                ),
            )
        )
    return rows


def _aftercare(session: Session, now: datetime) -> str:
    if session.status not in (SessionStatus.COMPLETED, SessionStatus.STOPPED):
        return ""
    procedure = getattr(session, "procedure", None)
    return build_aftercare(session_day.aftercare_facts(session, procedure, now=now))


def course_context(course: Course, clinic: Clinic, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    rows = session_rows(course, now=now, cutoff_hours=clinic.self_service_cutoff_hours)
    return {
        "clinic": clinic,
        "patient": course.patient,
        "rows": rows,
        "next_row": next((r for r in rows if r.upcoming and r.session.is_open), None),
    }
