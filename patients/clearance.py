"""May this patient be planned, or treated today, on this region? (Reads only.)

Combines the stored screening and consent with the pure rules in
``patients.screening``. The session-day flow asks ``session_day_problems``;
the course planner asks ``planning_problems``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from clinic.models import Clinic
from patients import screening
from patients.models import InformationSheet, Patient, Screening


def default_sheet_language() -> str:
    """The clinic's own language (``LANGUAGE_CODE``'s language, "en" for "en-gb"): the
    information sheet of a patient whose language has none is read in it."""
    return settings.LANGUAGE_CODE.split("-")[0]


def current_information_sheet(
    today: date | None = None, *, language: str | None = None
) -> InformationSheet | None:
    """The latest information sheet published on or before ``today`` in ``language``, or
    else in the clinic's default language (issue #17: each patient reads it in theirs)."""
    today = today or timezone.localdate()
    published = InformationSheet.objects.filter(published_on__lte=today)
    default = default_sheet_language()
    for code in dict.fromkeys([language or default, default]):
        sheet = published.filter(language=code).first()
        if sheet is not None:
            return sheet
    return None


def patient_sheet(patient: Patient, today: date | None = None) -> InformationSheet | None:
    """The information sheet current for ``patient`` (in their language)."""
    return current_information_sheet(today, language=patient.language)


def has_current_consent(patient: Patient, sheet: InformationSheet | None) -> bool:
    """Consent counts only when given on the sheet that is current now for the patient."""
    consent = patient.latest_consent
    return consent is not None and sheet is not None and consent.sheet_id == sheet.pk


def screening_facts(record: Screening) -> screening.ScreeningFacts:
    decision = getattr(record, "caution_decision", None)
    return screening.ScreeningFacts(
        taken_at=record.taken_at,
        taken_on=timezone.localdate(record.taken_at),
        findings=tuple(record.findings()),
        caution_approved=None if decision is None else decision.approved,
    )


def planning_problems(
    patient: Patient, *, region: str, now: datetime | None = None, clinic: Clinic | None = None
) -> list[screening.Problem]:
    """Why a course on ``region`` may not be planned for the patient (empty: it may).

    Deferrals are not among them: a course may be planned while one stands
    (see ``planning_deferrals``); check-in refuses until a new screening clears it.
    """
    problems = _problems(
        patient, region=region, now=now or timezone.now(), same_day=False, clinic=clinic
    )
    return [p for p in problems if not p.defers]


def planning_deferrals(
    patient: Patient, *, region: str, now: datetime | None = None, clinic: Clinic | None = None
) -> list[screening.Problem]:
    """Deferrals standing on ``region`` (herpes anywhere, acne or warts in the area).

    Shown to the planner; they keep the course but block its sessions.
    """
    problems = _problems(
        patient, region=region, now=now or timezone.now(), same_day=False, clinic=clinic
    )
    return [p for p in problems if p.defers]


def session_day_problems(
    patient: Patient, *, region: str, now: datetime | None = None, clinic: Clinic | None = None
) -> list[screening.Problem]:
    """Why the patient may not be treated on ``region`` today (empty: they may).

    The screening must have been re-confirmed today, in the clinic's time zone.
    """
    return _problems(
        patient, region=region, now=now or timezone.now(), same_day=True, clinic=clinic
    )


def _problems(
    patient: Patient, *, region: str, now: datetime, same_day: bool, clinic: Clinic | None
) -> list[screening.Problem]:
    today = timezone.localdate(now)
    latest = patient.latest_screening
    return screening.clearance_problems(
        screening_facts(latest) if latest else None,
        region=region,
        now=now,
        valid_days=(clinic or Clinic.current()).screening_valid_days,
        same_day_as=today if same_day else None,
        consent_current=has_current_consent(patient, patient_sheet(patient, today)),
    )
