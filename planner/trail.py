"""The audit trail of one patient: which change events belong to their record.

A patient's record is the patient row and everything under it: screenings,
caution decisions, consents, courses, sessions, the session-day records
(procedure, zones, needle changes, aftercare sheet), photos and the outbox rows
to them. Each is found through the event tables themselves, so rows deleted
since still show with their history.
"""

from __future__ import annotations

from django.db.models import Q

from audit.trail import Filters, change_models


def _ids(label: str, condition: Q) -> object:
    """The ids of the ``label`` rows whose events match ``condition`` (a subquery)."""
    return change_models()[label]._default_manager.filter(condition).values("pgh_obj_id")


def patient_scope(patient_id: int) -> dict[str, Q]:
    """For each tracked model under a patient, which of its events are about ``patient_id``."""
    mine = Q(patient_id=patient_id)
    screenings = _ids("patients.Screening", mine)
    sessions = _ids("courses.Session", mine)
    procedures = _ids("courses.Procedure", Q(session_id__in=sessions))
    return {
        "patients.Patient": Q(pgh_obj_id=patient_id),
        "patients.Screening": mine,
        "patients.CautionDecision": Q(screening_id__in=screenings),
        "patients.ProcedureConsent": mine,
        "courses.Course": mine,
        "courses.Session": mine,
        "courses.Procedure": Q(session_id__in=sessions),
        "courses.ZoneRecord": Q(procedure_id__in=procedures),
        "courses.NeedleChange": Q(procedure_id__in=procedures),
        "courses.AftercareSheet": Q(session_id__in=sessions),
        "courses.SessionPhoto": Q(session_id__in=sessions),
        "reminders.OutboxMessage": mine,
        # Its erasure (privacy/, above this layer: named by label only, never imported).
        "privacy.Erasure": mine,
    }


def patient_filters(patient_id: int, base: Filters) -> Filters:
    """``base`` narrowed to one patient's record."""
    return Filters(
        start=base.start, end=base.end, user_id=base.user_id, kinds=base.kinds,
        object_type=base.object_type, scope=patient_scope(patient_id), patient_id=patient_id,
    )  # fmt: skip
