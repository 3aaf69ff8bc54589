"""The patient's answers to the day-of questions before a session (issue #17).

From ``Clinic.previsit_window_hours`` before a booked session until its arrival time,
the patient's course page asks the day-of screening questions
(``patients.screening.PREVISIT_RULES``). The answers are kept as a patient-reported
screening of that session, judged by the same rules as a staff screening; they clear
nothing (``patients.services.record_patient_screening``). The practitioner sees the
latest at check-in and on the today board, and still screens the patient that day.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from clinic.actors import Actor
from clinic.models import Clinic
from clinic.permissions import require
from courses.models import Session
from patients import screening
from patients.models import Screening
from patients.services import record_patient_screening


class PrevisitError(Exception):
    """The answers were refused; ``code`` is one of ``screening.previsit_refusal``'s."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@transaction.atomic
def record_previsit_answers(
    *, session: Session, yes: Collection[str], actor: Actor, now: datetime | None = None
) -> Screening:
    """Keep the patient's answers before ``session``; ``yes`` names the questions answered
    "yes" (rule codes). Refused (``PrevisitError``), nothing saved, outside the window or
    for a session no longer booked."""
    require(actor, "patients.report_screening", session)
    now = now or timezone.now()
    session = (
        Session.objects.select_for_update()
        .select_related("course__area", "course__patient")
        .get(pk=session.pk)
    )
    refusal = screening.previsit_refusal(
        now=now,
        arrives_at=session.arrives_at,
        window_hours=Clinic.current().previsit_window_hours,
        session_open=session.is_open,
    )
    if refusal:
        raise PrevisitError(refusal)
    return record_patient_screening(
        patient=session.course.patient,
        session_id=session.pk,
        answers=screening.previsit_answers(session.course.area.region, yes),
        actor=actor,
        now=now,
    )
