"""Queries behind the patient screens (and the course screens that show a patient)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from clinic.models import Clinic
from patients import home_rules, screening
from patients.models import HomeRoller, HomeUse, Patient

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


@dataclass(frozen=True)
class HomeUseRow:
    use: HomeUse
    quiet: home_rules.QuietPeriod | None  # the quiet period it fell in, if any


@dataclass(frozen=True)
class HomeCare:
    """The patient's current home roller, its log and what the rules say about it now."""

    roller: HomeRoller
    rows: list[HomeUseRow]  # newest first
    uses: int
    uses_left: int
    worn: bool
    quiet_days: int
    quiet_ahead: list[home_rules.QuietPeriod]  # quiet periods not yet over

    @property
    def in_quiet_period(self) -> int:
        return sum(1 for row in self.rows if row.quiet is not None)

    @property
    def not_disinfected(self) -> int:
        return sum(1 for row in self.rows if not row.use.disinfected)


def home_care(
    patient: Patient, *, session_times: Iterable[datetime], clinic: Clinic, now: datetime
) -> HomeCare | None:
    """The patient's current home roller (the latest recommended) with its log, or None.

    ``session_times``: the patient's clinic sessions (every course, not cancelled
    or missed), whose quiet days the log and the page are checked against.
    """
    roller = HomeRoller.objects.filter(patient=patient).select_related("recommended_by").first()
    if roller is None:
        return None
    times = list(session_times)
    quiet_days = clinic.home_roller_quiet_days
    rows = [
        HomeUseRow(use, home_rules.quiet_conflict(use.used_at, times, quiet_days))
        for use in roller.uses.all()
    ]
    worn_after = clinic.home_roller_worn_uses
    return HomeCare(
        roller=roller,
        rows=rows,
        uses=len(rows),
        uses_left=home_rules.uses_left(len(rows), worn_after),
        worn=home_rules.is_worn(len(rows), worn_after),
        quiet_days=quiet_days,
        quiet_ahead=home_rules.periods_to_show(times, quiet_days, now=now),
    )
