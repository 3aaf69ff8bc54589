"""Queries behind the patient screens (and the course screens that show a patient)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from clinic.models import Clinic
from patients import screening
from patients.models import Patient

MAX_SEARCH_WORDS = 4


def phone_in_e164(text: str) -> str | None:
    """The query as an E.164 number when it reads as a valid phone number."""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_patients(query: str) -> Q:
    """Match an e-mail exactly, a phone number exactly, or every word in a name."""
    query = query.strip()
    if not query:
        return Q()
    if "@" in query:
        return Q(email=query.lower())
    phone = phone_in_e164(query)
    if phone is not None:
        return Q(phone=phone)
    condition = Q()
    for word in query.split()[:MAX_SEARCH_WORDS]:
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return condition


def filter_by_status(status: str, *, now: datetime, valid_days: int) -> Q:
    """Patients whose current screening status is ``status`` (see STATUS_FILTERS)."""
    cutoff = now - timedelta(days=valid_days)
    if status == "not_screened":
        return Q(latest_screening__isnull=True)
    if status == "expired":
        return Q(latest_screening__taken_at__lt=cutoff)
    if status in ("clear", "caution", "defer", "refuse"):
        return Q(latest_screening__result=status, latest_screening__taken_at__gte=cutoff)
    return Q()


def patient_list(*, query: str, status: str, now: datetime, valid_days: int) -> QuerySet[Patient]:
    """Patients for the list page, with what each row shows loaded in the same query."""
    return (
        Patient.objects.filter(search_patients(query))
        .filter(filter_by_status(status, now=now, valid_days=valid_days))
        .select_related("latest_screening", "latest_screening__caution_decision", "latest_consent")
        .order_by("last_name", "first_name", "id")
    )


def status_of(patient: Patient, *, clinic: Clinic) -> screening.Status:
    """The patient's screening status now, from the latest screening (loaded with the row)."""
    latest = patient.latest_screening
    decision = getattr(latest, "caution_decision", None) if latest else None
    status = screening.screening_status(
        result=screening.Result.from_code(latest.result) if latest else None,
        taken_at=latest.taken_at if latest else None,
        caution_approved=decision.approved if decision else None,
        now=timezone.now(),
        valid_days=clinic.screening_valid_days,
    )
    return replace(status, label=gettext(status.label))  # marked in the pure module
