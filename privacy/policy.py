"""What erasure does to each column of a row about the patient (``privacy.scope``).

- The patient row: names become a pseudonym, contact details and notes are blanked,
  the birth date is nulled (``PATIENT_VALUES``).
- Free text (a char or text column without choices) is replaced by ``ERASED`` when it
  holds anything: notes, reasons, signatures, recipients, event details, aftercare
  sheets... and any such column a later model adds.
- Kept as they are: ids, dates, numbers, booleans, choices (statuses, kinds, channels,
  scales) and the structural strings in ``KEPT`` (keys, hashes, tokens, lot numbers,
  the treated zone): what the clinic's counts and the law need, none of it personal.
  They are still swept: any of the patient's identifiers found in them (or in a JSON
  column) is replaced, word by word.
"""

from __future__ import annotations

from django.db import models

ERASED = "[erased]"
PSEUDONYM_PREFIX = "Erased patient"

# "app.Model.field": structural text kept by erasure (swept for identifiers all the same).
KEPT = frozenset({
    "patients.Patient.language", "patients.Patient.time_zone",
    "patients.ProcedureConsent.text_sha256",
    "courses.ZoneRecord.zone",
    "reminders.OutboxMessage.dedupe_key", "reminders.OutboxMessage.claim_token",
    "reminders.OutboxMessage.started_by", "reminders.OutboxMessage.provider_message_id",
    "reminders.MessageEvent.event",
    "audit.AccessEvent.action", "audit.AccessEvent.username", "audit.AccessEvent.object_type",
    "audit.AccessEvent.object_id", "audit.AccessEvent.method", "audit.AccessEvent.path",
    "audit.AccessEvent.request_id",
})  # fmt: skip


def is_text(field: models.Field) -> bool:
    return isinstance(field, models.CharField | models.TextField) and not field.is_relation


def is_json(field: models.Field) -> bool:
    return isinstance(field, models.JSONField)


def erased_text(field: models.Field, label: str) -> bool:
    """Whether erasure replaces this column's text wholesale (free text), per the rules above."""
    if not is_text(field) or field.choices or field.name.startswith("pgh_"):
        return False
    return f"{label}.{field.name}" not in KEPT


def replacement(field: models.Field) -> str:
    """``ERASED``, cut to the column's length (empty where even that does not fit)."""
    limit = getattr(field, "max_length", None)
    return ERASED if limit is None or limit >= len(ERASED) else ""


def patient_values(pseudonym: str) -> dict[str, object]:
    """The patient row after erasure: a pseudonym, nothing to reach or recognise them by."""
    return {
        "first_name": PSEUDONYM_PREFIX, "last_name": pseudonym, "date_of_birth": None,
        "email": "", "phone": "", "guardian_name": "", "notes": "",
        "reminder_channel": "none", "email_consent_at": None, "sms_consent_at": None,
    }  # fmt: skip
