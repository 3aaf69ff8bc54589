"""The today board: a cosmetologist's sessions of the day, their phase and alerts (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.devices import needs_disinfection
from clinic.models import Clinic, Practitioner
from clinic.selectors import device_facts
from courses import session_flow
from courses.models import HOLDING_STATUSES, Session, SessionStatus
from courses.selectors import latest_previsit
from patients.models import Screening

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    class _BoardAnnotations(TypedDict):
        has_earlier: bool  # an earlier session of the course is booked

    BoardSession = WithAnnotations[Session, _BoardAnnotations]  # a session as the board reads it

PHASES: dict[str, StrOrPromise] = {
    SessionStatus.SCHEDULED: _("Expected"),
    SessionStatus.CONFIRMED: _("Expected"),
    SessionStatus.CHECKED_IN: _("Arrived"),
    SessionStatus.CREAM_ON: _("Cream on"),
    SessionStatus.CREAM_OFF: _("Ready for procedure"),
    SessionStatus.IN_PROCEDURE: _("In procedure"),
    SessionStatus.COMPLETED: _("Done"),
    SessionStatus.STOPPED: _("Done (stopped short)"),
    SessionStatus.NO_SHOW: _("No-show"),
    SessionStatus.CANCELLED: _("Cancelled"),
}


# The front desk (no clinical view, issue #16) sees where the patient is, not the procedure's
# steps: the cream and its wash-off are part of the procedure record.
DESK_PHASES: dict[str, StrOrPromise] = {
    SessionStatus.CREAM_ON: PHASES[SessionStatus.CHECKED_IN],
    SessionStatus.CREAM_OFF: PHASES[SessionStatus.CHECKED_IN],
}


@dataclass
class BoardRow:
    session: Session
    phase: str
    confirmed: bool
    wash_off_due: datetime | None = None
    alerts: list[str] = field(default_factory=list)
    # The patient's latest answers before the visit (issue #17): clinical, shown to
    # clinicians only; a deferral or refusal among them is an alert.
    previsit: Screening | None = None

    @property
    def previsit_alert(self) -> bool:
        return self.previsit is not None and self.previsit.result != "clear"

    @property
    def desk_phase(self) -> str:
        """The phase as the front desk sees it: "Arrived" through the cream."""
        return str(DESK_PHASES.get(self.session.status, self.phase))


# What the board shows: loading only these keeps a busy clinic's day quick to build.
BOARD_FIELDS = [
    "arrives_at", "status", "course__needle_mm", "course__patient__first_name",
    "course__patient__last_name", "course__patient__latest_screening__taken_at",
    "course__area__name", "room__name", "practitioner__user__first_name",
    "practitioner__user__last_name", "practitioner__user__username",
]  # fmt: skip
PROCEDURE_FIELDS = ["procedure__cream_on_at", "procedure__cream_off_at", "procedure__device"]


def sessions_of_day(day: date, practitioner: Practitioner | None) -> QuerySet[BoardSession]:
    """The day's sessions (all practitioners' when none is given), in time order."""
    earlier = Session.objects.filter(
        course=OuterRef("course"),
        status__in=HOLDING_STATUSES,
        arrives_at__lt=OuterRef("arrives_at"),
    )
    sessions = (
        Session.objects.arriving_on(day, timezone.get_current_timezone())
        .exclude(status=SessionStatus.CANCELLED)
        .select_related(
            "course__patient__latest_screening", "course__area", "room", "practitioner__user",
            "procedure__device__device_type",
        )
        .only(*BOARD_FIELDS, *PROCEDURE_FIELDS)
        .annotate(has_earlier=Exists(earlier))
        .order_by("arrives_at", "id")
    )  # fmt: skip
    return sessions if practitioner is None else sessions.filter(practitioner=practitioner)


def board_rows(
    sessions: QuerySet[BoardSession], *, now: datetime, clinic: Clinic
) -> list[BoardRow]:
    today = timezone.localdate(now)
    listed = list(sessions)
    previsit = latest_previsit(s.pk for s in listed if s.is_open)
    rows = []
    for session in listed:
        procedure = getattr(session, "procedure", None)
        row = BoardRow(
            session, str(PHASES[session.status]), session.status == SessionStatus.CONFIRMED
        )
        if procedure and procedure.cream_on_at and not procedure.cream_off_at:
            row.wash_off_due = session_flow.wash_off_due(
                procedure.cream_on_at, clinic.cream_minutes
            )
        if session.is_open:
            row.previsit = previsit.get(session.pk)
            screening = session.course.patient.latest_screening
            if screening is None or timezone.localdate(screening.taken_at) != today:
                row.alerts.append(gettext("Screening to re-confirm"))
            if session.status == SessionStatus.SCHEDULED:
                row.alerts.append(gettext("Unconfirmed"))
        if procedure and procedure.device and needs_disinfection(device_facts(procedure.device)):
            row.alerts.append(
                gettext("%(device)s needs disinfection") % {"device": procedure.device.label}
            )
        if not session.has_earlier:
            row.alerts.append(gettext("First session of the course"))
        rows.append(row)
    return rows


REFRESH_SECONDS = 30
