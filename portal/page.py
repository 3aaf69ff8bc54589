"""What the patient's course page shows: read-only, computed for one course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic
from courses import self_service, session_day
from courses.aftercare import build_aftercare
from courses.models import Course, Session, SessionStatus
from courses.previsit import PrevisitError
from courses.selectors import latest_previsit, patient_home_care
from patients import screening
from patients.clearance import has_current_consent, patient_sheet
from patients.models import InformationSheet, Screening
from portal.forms import ConsentForm, PrevisitForm
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
    satisfaction: int | None = None  # the patient's score after a performed session
    performed: bool = False  # done or stopped short: the patient may say how satisfied they are


def session_rows(
    course: Course, *, now: datetime, cutoff_hours: int | None = None
) -> list[SessionRow]:
    sessions = list(
        course.sessions.select_related(
            "procedure", "course__area", "course__patient", "satisfaction"
        ).order_by("arrives_at", "number")
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
                satisfaction=getattr(getattr(session, "satisfaction", None), "score", None),
                performed=session.status in (SessionStatus.COMPLETED, SessionStatus.STOPPED),
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


@dataclass(frozen=True)
class Previsit:
    """The questions before one session, while they are open (issue #17)."""

    row: SessionRow
    form: PrevisitForm
    answer: Screening | None  # the latest answers given, if any
    result: str  # the latest answers' result code ("clear", "defer", "refuse"), or ""


def session_by_ordinal(course: Course, ordinal: int, *, now: datetime) -> SessionRow | None:
    """The session a portal URL's small number names (1, 2, ... as the page lists them)."""
    rows = session_rows(course, now=now)
    return rows[ordinal - 1] if 1 <= ordinal <= len(rows) else None


def _previsit_refusal(row: SessionRow, clinic: Clinic, now: datetime) -> str | None:
    return screening.previsit_refusal(
        now=now,
        arrives_at=row.session.arrives_at,
        window_hours=clinic.previsit_window_hours,
        session_open=row.session.is_open,
    )


def check_previsit_open(row: SessionRow, clinic: Clinic, *, now: datetime) -> None:
    """Refuse (``PrevisitError``) when the questions of ``row``'s session are not open now."""
    refusal = _previsit_refusal(row, clinic, now)
    if refusal:
        raise PrevisitError(refusal)


def previsit_blocks(
    rows: list[SessionRow],
    clinic: Clinic,
    *,
    now: datetime,
    bound: dict[int, PrevisitForm] | None = None,
) -> list[Previsit]:
    """The sessions whose questions are open now, with the latest answers given; ``bound``:
    a refused form (by session ordinal), shown again with its errors."""
    open_rows = [row for row in rows if _previsit_refusal(row, clinic, now) is None]
    latest = latest_previsit(row.session.pk for row in open_rows)
    blocks = []
    for row in open_rows:
        answer = latest.get(row.session.pk)
        form = (bound or {}).get(row.ordinal) or previsit_form(row.ordinal)
        blocks.append(Previsit(row, form, answer, answer.result if answer else ""))
    return blocks


def previsit_form(ordinal: int, data: QueryDict | None = None) -> PrevisitForm:
    """The questions before session ``ordinal`` (ids unique among the page's forms)."""
    return PrevisitForm(data, auto_id=f"previsit{ordinal}_%s")


def consent_context(
    course: Course, rows: list[SessionRow], *, now: datetime, form: ConsentForm | None = None
) -> dict:
    """What the page says about consent: asked for while the patient has none on the sheet
    current for their language and a session is still to come."""
    patient = course.patient
    sheet = patient_sheet(patient, timezone.localdate(now))
    consented = has_current_consent(patient, sheet)
    upcoming = any(r.upcoming and r.session.is_open for r in rows)
    if sheet is None or consented or not upcoming:
        return {"consent": patient.latest_consent if consented else None}
    if form is None:
        form = ConsentForm(initial={"sheet": sheet.pk, "shown": sheet.text_sha256})
    return {"consent_sheet": sheet, "consent_form": form, "consent": None}


def course_context(
    course: Course,
    clinic: Clinic,
    *,
    now: datetime | None = None,
    previsit: dict[int, PrevisitForm] | None = None,
    consent_form: ConsentForm | None = None,
) -> dict:
    now = now or timezone.now()
    rows = session_rows(course, now=now, cutoff_hours=clinic.self_service_cutoff_hours)
    next_row = next((r for r in rows if r.upcoming and r.session.is_open), None)
    return {
        "clinic": clinic,
        "patient": course.patient,
        "rows": rows,
        "next_row": next_row,
        "previsit": previsit_blocks(rows, clinic, now=now, bound=previsit),
        "previsit_opens_at": (
            screening.previsit_opens_at(next_row.session.arrives_at, clinic.previsit_window_hours)
            if next_row
            else None
        ),
        **consent_context(course, rows, now=now, form=consent_form),
        "home_care": patient_home_care(course.patient, clinic, now=now),
    }


def sheet_for_consent(sheet_id: int) -> InformationSheet | None:
    """The sheet a consent form names, if it exists (the service checks it is current)."""
    return InformationSheet.objects.filter(pk=sheet_id).first()
