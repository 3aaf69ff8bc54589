"""Writes of the privacy app: erasing a patient, recording an export, the retention review.

``erase_patient`` is the one way personal data leaves the database: it runs in one
transaction and either does everything or nothing (a refusal changes nothing).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AccessEvent, AccessKind
from clinic.actors import Actor
from clinic.models import Clinic
from clinic.permissions import require
from courses.models import Course, Session, SessionPhoto, SessionStatus
from courses.rescheduling import cancel_session
from patients.models import Patient
from privacy import identifiers, policy, scrub, search_state
from privacy.models import DueForErasure, Erasure, ErasureSource
from privacy.scope import patient_scope
from reminders.models import MessageEvent, OutboxMessage, Status

# A session between check-in and its end: the patient is in the clinic, being treated.
IN_PROGRESS = (
    SessionStatus.CHECKED_IN, SessionStatus.CREAM_ON, SessionStatus.CREAM_OFF,
    SessionStatus.IN_PROCEDURE,
)  # fmt: skip
UNSENT = (Status.PENDING, Status.QUEUED)
CANCEL_REASON = "The patient's personal data was erased."


class ErasureRefused(Exception):
    """Why a patient cannot be erased now (shown to the manager; nothing was changed)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ErasureResult:
    erasure: Erasure
    pseudonym: str
    sessions_cancelled: int
    messages_cancelled: int
    photos_deleted: int
    rows_rewritten: int


def _same_name(typed: str, full_name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(full_name.split()).casefold()


def erasure_refusal(patient: Patient, confirm_name: str | None = None) -> ErasureRefused | None:
    """Why ``patient`` cannot be erased (with ``confirm_name`` as typed), or None."""
    if Erasure.objects.filter(patient_id=patient.pk).exists():
        return ErasureRefused(gettext("This patient's data has already been erased."),
                              code="already_erased")  # fmt: skip
    if Session.objects.filter(patient=patient, status__in=IN_PROGRESS).exists():
        return ErasureRefused(
            gettext(
                "A session of this patient is in progress (checked in, cream on or in "
                "procedure). Finish or stop it first, then erase."
            ),
            code="in_progress",
        )
    if confirm_name is not None and not _same_name(confirm_name, patient.full_name):
        return ErasureRefused(
            gettext("The name typed is not the patient's full name as shown: nothing was erased."),
            code="wrong_name",
        )
    return None


def _cancel_open_sessions(patient: Patient, actor: Actor) -> int:
    """Booked sessions go (through the course rules, so the calendars and summaries follow)."""
    open_sessions = Session.objects.filter(
        patient=patient, status__in=[SessionStatus.SCHEDULED, SessionStatus.CONFIRMED]
    )
    count = 0
    for session in open_sessions.order_by("pk"):
        cancel_session(session=session, reason=CANCEL_REASON, actor=actor)
        count += 1
    return count


def _cancel_unsent_messages(message_ids: set[Any]) -> int:
    """Messages not yet handed to a sender: cancelled (a queued one's task then does nothing)."""
    unsent = OutboxMessage.objects.filter(pk__in=message_ids, status__in=UNSENT)
    ids = list(unsent.values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=ids, status__in=UNSENT).update(status=Status.CANCELLED)
    MessageEvent.objects.bulk_create(
        MessageEvent(message_id=i, event="cancelled", detail="the patient was erased") for i in ids
    )
    return len(ids)


@transaction.atomic
def erase_patient(
    *, patient: Patient, confirm_name: str, actor: Actor, source: str = ErasureSource.REQUEST
) -> ErasureResult:
    """Erase the patient's personal data everywhere it lives, keeping what counts need.

    Refused (``ErasureRefused``, nothing changed) unless ``confirm_name`` is the patient's
    full name as shown, no session of theirs is in progress and they were not erased
    before. In one transaction: booked sessions cancelled; unsent messages cancelled;
    photos deleted (their files after commit); every row about the patient, found by
    ``privacy.scope`` (live rows, and the rows of the append-only change-event tables and
    access records, whose ``append_only`` triggers are lifted for exactly those tables in
    this transaction by ``privacy.triggers.ignore_append_only``, pgtrigger's ignore), has
    its free text replaced and its other text swept (``privacy.policy``); the patient row
    gets a pseudonym, no contact details, no birth date, no notes; the stored search
    state (staff sessions) forgets searches for them; the course links stop working.
    Ids, dates, statuses, counts, device uses and lot numbers stay. One ``Erasure`` row
    records who erased which patient id.
    """
    require(actor, "privacy.erase_patient", patient)
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    refusal = erasure_refusal(patient, confirm_name)
    if refusal is not None:
        raise refusal
    pattern = identifiers.sweeper(identifiers.identifiers(patient))
    sessions_cancelled = _cancel_open_sessions(patient, actor)
    scope = patient_scope(patient.pk)
    messages_cancelled = _cancel_unsent_messages(scope.ids.get(OutboxMessage, set()))
    photos_deleted, _ = SessionPhoto.objects.filter(
        pk__in=scope.ids.get(SessionPhoto, set())
    ).delete()
    scope = patient_scope(patient.pk)  # again: the cancellations wrote history rows
    pseudonym = secrets.token_hex(4)
    values = policy.patient_values(pseudonym)
    rows = scrub.scrub_live(scope, pattern)
    Patient.objects.filter(pk=patient.pk).update(**values)
    rows += scrub.scrub_events(scope, pattern, values) + scrub.scrub_admin_log(scope, pattern)
    search_state.forget(pattern)
    Course.objects.filter(patient=patient).update(
        patient_link_version=F("patient_link_version") + 1
    )
    DueForErasure.objects.filter(patient=patient).delete()
    erasure = Erasure.objects.create(patient_id=patient.pk, source=source, erased_by=actor)
    return ErasureResult(erasure, f"{policy.PSEUDONYM_PREFIX} {pseudonym}", sessions_cancelled,
                         messages_cancelled, photos_deleted, rows)  # fmt: skip


@transaction.atomic
def record_export(*, patient: Patient, actor: Actor, how: str) -> AccessEvent:
    """An export made outside a request (``manage.py export_patient``): an access record,
    as a page read is (the screen's download is recorded by ``audit.records.record_read``)."""
    require(actor, "privacy.export_patient", patient)
    return AccessEvent.objects.create(
        kind=AccessKind.READ, action="export", user=actor, username=actor.get_username(),
        object_type=Patient._meta.label, object_id=str(patient.pk), patient_id=patient.pk,
        detail=how[:200],
    )  # fmt: skip


def retention_cutoff(now: datetime, years: int) -> datetime:
    """The moment ``years`` before ``now`` (29 February goes to the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def due_for_erasure(*, now: datetime, years: int) -> dict[int, datetime]:
    """Patients whose last session (not a cancelled one; their registration if they had
    none) is older than ``years``, and not erased: their id and that moment."""
    last = (
        Patient.objects.exclude(pk__in=Erasure.objects.values("patient_id"))
        .annotate(
            last_session=Max(
                "sessions__arrives_at", filter=~Q(sessions__status=SessionStatus.CANCELLED)
            )
        )
        .annotate(last_activity=Coalesce("last_session", "created_at"))
    )
    rows = last.filter(last_activity__lt=retention_cutoff(now, years))
    return dict(rows.values_list("pk", "last_activity"))


@transaction.atomic
def list_due_for_erasure(*, actor: Actor, now: datetime | None = None) -> int:
    """The daily retention review (``privacy.tasks``): the list of patients due for erasure
    made to match the clinic's ``retention_years`` now. A patient no longer due (a new
    session booked, the period lengthened) leaves the list. Returns how many are listed.

    There is no marketing consent in the planner to withdraw on schedule: the e-mail and
    SMS consents are for reminders of the patient's own treatment, not marketing.
    """
    require(actor, "privacy.list_due")
    now = now or timezone.now()
    due = due_for_erasure(now=now, years=Clinic.current().retention_years)
    DueForErasure.objects.exclude(patient_id__in=due).delete()
    listed = dict(DueForErasure.objects.values_list("patient_id", "pk"))
    DueForErasure.objects.bulk_create(
        DueForErasure(patient_id=pk, last_activity_at=at, listed_at=now)
        for pk, at in due.items()
        if pk not in listed
    )
    for pk, at in due.items():
        if pk in listed:
            DueForErasure.objects.filter(pk=listed[pk]).exclude(last_activity_at=at).update(
                last_activity_at=at
            )
    return len(due)
