"""Writes to patient records: registration, screening, decisions, consent and home care.

Each takes the ``actor`` (``clinic.actors``); a screening, a caution decision and a
consent keep it as who took, decided or witnessed them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from clinic.actors import Actor
from clinic.models import Clinic
from clinic.permissions import require
from patients import home_rules, screening, signature
from patients.clearance import patient_sheet
from patients.models import (
    CLINICAL_FIELDS,
    CautionDecision,
    ConsentMethod,
    HomeRoller,
    HomeUse,
    InformationSheet,
    Patient,
    ProcedureConsent,
    RecordSource,
    Screening,
)


class PatientError(Exception):
    """A patient write was refused; ``code`` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _consent_time(given: bool, previous: datetime | None, now: datetime) -> datetime | None:
    """Keep the original time of a consent still given; clear a withdrawn one."""
    if not given:
        return None
    return previous or now


@transaction.atomic
def save_patient(
    *,
    patient: Patient,
    email_consent: bool,
    sms_consent: bool,
    guardian_consent: bool,
    actor: Actor,
    now: datetime | None = None,
) -> Patient:
    """Create or update a patient from validated fields, recording consent times."""
    require(actor, "patients.change_contact", patient)
    _check_clinical_fields(patient, actor)
    now = now or timezone.now()
    patient.email = patient.email.lower()
    patient.email_consent_at = _consent_time(email_consent, patient.email_consent_at, now)
    patient.sms_consent_at = _consent_time(sms_consent, patient.sms_consent_at, now)
    patient.guardian_consent_at = _consent_time(
        guardian_consent and bool(patient.guardian_name), patient.guardian_consent_at, now
    )
    patient.full_clean(exclude=["latest_screening", "latest_consent"])
    if patient.pk is not None:
        _consent_for_language(patient, now)
    patient.save()
    return patient


def _consent_for_language(patient: Patient, now: datetime) -> None:
    """A patient's language decides which sheet is current for them: after a change back to
    a language they already consented in, that consent is the one that counts again (the
    consent state is read from ``latest_consent`` alone, one row, in lists too)."""
    sheet = patient_sheet(patient, timezone.localdate(now))
    if sheet is None or (patient.latest_consent and patient.latest_consent.sheet_id == sheet.pk):
        return
    earlier = patient.consents.filter(sheet=sheet).order_by("-accepted_at", "-pk").first()
    if earlier is not None:
        patient.latest_consent = earlier


def _check_clinical_fields(patient: Patient, actor: Actor) -> None:
    """Only those who may see the skin profile and notes may set them (issue #16).

    The front desk's form has no such fields; a forged one changing them is refused.
    """
    if actor.has_perm("patients.view_clinical"):
        return
    stored = Patient.objects.filter(pk=patient.pk).values(*CLINICAL_FIELDS).first()
    blank = Patient()  # a new patient's clinical fields: their defaults
    for name in CLINICAL_FIELDS:
        before = stored[name] if stored else getattr(blank, name)
        if getattr(patient, name) != before:
            raise PermissionDenied


@transaction.atomic
def record_screening(
    *,
    patient: Patient,
    answers: screening.Answers,
    notes: str,
    actor: Actor,
    caution_approved: bool | None = None,
    caution_reason: str = "",
    now: datetime | None = None,
) -> Screening:
    """Save a new screening, which supersedes the patient's previous one.

    The result is computed from the answers, never typed. A decision on a
    cautionary finding may be recorded at once (``caution_approved``).
    """
    require(actor, "patients.screen", patient)
    now = now or timezone.now()
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    findings = screening.assess(answers)
    if caution_approved is not None and not any(
        f.result is screening.Result.CAUTION for f in findings
    ):
        raise PatientError("no_caution", _("A decision is only recorded for a cautionary finding."))
    record = _create_screening(
        patient=patient, answers=answers, findings=findings, actor=actor, now=now, notes=notes
    )
    if caution_approved is not None:
        CautionDecision.objects.create(
            screening=record,
            approved=caution_approved,
            reason=caution_reason,
            decided_by=actor,
            decided_at=now,
        )
    patient.latest_screening = record
    patient.save(update_fields=["latest_screening", "updated_at"])
    return record


def _create_screening(
    *,
    patient: Patient,
    answers: screening.Answers,
    findings: list[screening.Finding],
    actor: Actor,
    now: datetime,
    notes: str = "",
    session_id: int | None = None,
) -> Screening:
    """The screening row, its result computed by the pure rules (``screening.assess``):
    one place for staff and patient-reported screenings alike."""
    return Screening.objects.create(
        patient=patient,
        taken_at=now,
        taken_by=actor,
        source=RecordSource.STAFF if session_id is None else RecordSource.PATIENT,
        session_id=session_id,
        herpes_active=answers.herpes_active,
        acne_regions=sorted(answers.acne_regions),
        rosacea=answers.rosacea,
        wart_regions=sorted(answers.wart_regions),
        eczema_psoriasis_regions=sorted(answers.eczema_psoriasis_regions),
        anticoagulants=answers.anticoagulants,
        keloid_tendency=answers.keloid_tendency,
        notes=notes,
        result=screening.overall_result(findings).code,
    )


@transaction.atomic
def record_patient_screening(
    *,
    patient: Patient,
    session_id: int,
    answers: screening.Answers,
    actor: Actor,
    now: datetime | None = None,
) -> Screening:
    """Keep the patient's own answers to the day-of questions before session ``session_id``
    (issue #17), with their result by the same rules as a staff screening.

    It is not the patient's ``latest_screening`` and clears nothing: the practitioner sees
    it at check-in and still screens that day. Answering again adds a row; the latest
    counts. ``courses.previsit.record_previsit_answers`` checks the session and the window.
    """
    require(actor, "patients.report_screening", patient)
    return _create_screening(
        patient=patient,
        answers=answers,
        findings=screening.assess(answers),
        actor=actor,
        now=now or timezone.now(),
        session_id=session_id,
    )


@transaction.atomic
def record_caution_decision(
    *,
    screening_record: Screening,
    approved: bool,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> CautionDecision:
    """Record a practitioner's decision on the patient's current cautionary screening."""
    require(actor, "patients.screen", screening_record)
    patient = Patient.objects.select_for_update().get(pk=screening_record.patient_id)
    if patient.latest_screening_id != screening_record.pk:
        raise PatientError("superseded", _("A newer screening has replaced this one."))
    if not screening_record.rosacea:
        raise PatientError("no_caution", _("This screening has no finding that needs a decision."))
    if CautionDecision.objects.filter(screening=screening_record).exists():
        raise PatientError(
            "already_decided", _("A decision is already recorded for this screening.")
        )
    if not reason.strip():
        raise PatientError("reason_required", _("Write the reason for the decision."))
    return CautionDecision.objects.create(
        screening=screening_record,
        approved=approved,
        reason=reason.strip(),
        decided_by=actor,
        decided_at=now or timezone.now(),
    )


@transaction.atomic
def record_consent(
    *,
    patient: Patient,
    sheet: InformationSheet,
    actor: Actor,
    now: datetime | None = None,
) -> ProcedureConsent:
    """Record consent to the procedure on the current information sheet, witnessed by staff
    (``actor``). The sheet is the one current for the patient's language."""
    require(actor, "patients.screen", patient)
    now = now or timezone.now()
    _check_sheet_current(patient, sheet, now)
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    consent = ProcedureConsent.objects.create(
        patient=patient,
        sheet=sheet,
        accepted_at=now,
        witnessed_by=actor,
        text_sha256=sheet.text_sha256,
    )
    patient.latest_consent = consent
    patient.save(update_fields=["latest_consent", "updated_at"])
    return consent


def _check_sheet_current(patient: Patient, sheet: InformationSheet, now: datetime) -> None:
    current = patient_sheet(patient, timezone.localdate(now))
    if current is None or current.pk != sheet.pk:
        raise PatientError(
            "sheet_not_current", _("Consent can only be taken on the current information sheet.")
        )


@transaction.atomic
def record_patient_consent(
    *,
    patient: Patient,
    sheet: InformationSheet,
    shown_sha256: str,
    typed_name: str = "",
    drawing: str = "",
    actor: Actor,
    now: datetime | None = None,
) -> ProcedureConsent:
    """The patient consents on their course page (issue #17), signing with a typed full
    name or a drawing (exactly one), on the sheet current for their language.

    ``shown_sha256`` is the hash of the sheet as the page showed it: a sheet changed since
    is refused (the patient reads it again), so the record proves which text was read.
    A second consent on the same sheet is refused (``already_consented``): a double submit
    keeps one record.
    """
    require(actor, "patients.give_consent", patient)
    now = now or timezone.now()
    _check_sheet_current(patient, sheet, now)
    if shown_sha256 != sheet.text_sha256:
        raise PatientError("sheet_changed", _("The information sheet changed; read it again."))
    method, typed_name = _signature(typed_name, drawing)
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.latest_consent is not None and patient.latest_consent.sheet_id == sheet.pk:
        raise PatientError("already_consented", _("Consent on this sheet is already recorded."))
    consent = ProcedureConsent.objects.create(
        patient=patient,
        sheet=sheet,
        accepted_at=now,
        witnessed_by=actor,
        source=RecordSource.PATIENT,
        method=method,
        text_sha256=sheet.text_sha256,
        signature_name=typed_name,
        signature_drawing=drawing,
    )
    patient.latest_consent = consent
    patient.save(update_fields=["latest_consent", "updated_at"])
    return consent


def _signature(typed_name: str, drawing: str) -> tuple[str, str]:
    """(method, the typed name as stored); refuses anything but exactly one valid signature."""
    if bool(typed_name) == bool(drawing):
        raise PatientError("one_signature", _("Sign either with your typed name or a drawing."))
    if drawing:
        problem = signature.drawing_problem(drawing)
        if problem:
            raise PatientError(f"drawing_{problem}", _("The drawn signature cannot be read."))
        return ConsentMethod.DRAWN, ""
    name = signature.normalise_name(typed_name)
    problem = signature.typed_name_problem(name)
    if problem:
        raise PatientError(f"name_{problem}", _("Type your full name to sign."))
    return ConsentMethod.TYPED, name


def _home_care_message(code: str, clinic: Clinic) -> str:
    """What the person reads when a home-care rule refuses (in the active language)."""
    if code == "needle_range":
        return gettext(
            "A home roller's needles must be from %(low)s to %(high)s mm (the clinic's "
            "home-use range); longer needles are for the clinic only."
        ) % {"low": clinic.home_roller_min_mm, "high": clinic.home_roller_max_mm}
    if code == "future":
        return gettext("That time is still to come: log a use after you have used the roller.")
    if code == "before_recommendation":
        return gettext("That is before the roller was recommended to you: check the date.")
    if code == "worn":
        uses = clinic.home_roller_worn_uses
        return ngettext(
            "This roller is worn after %(uses)s use: replace it before you use it again.",
            "This roller is worn after %(uses)s uses: replace it before you use it again.",
            uses,
        ) % {"uses": uses}
    if code == "superseded":
        return gettext("This roller has been replaced by a newer recommendation.")
    raise ValueError(code)


def _refuse(error: home_rules.HomeCareError, clinic: Clinic) -> PatientError:
    return PatientError(error.code, _home_care_message(error.code, clinic))


@transaction.atomic
def recommend_home_roller(
    *,
    patient: Patient,
    needle_mm: Decimal,
    note: str = "",
    actor: Actor,
    now: datetime | None = None,
) -> HomeRoller:
    """A practitioner recommends a home roller; it becomes the patient's current one.

    The needle must lie in the clinic's home-use range (DOMAIN.md, "Home care").
    """
    require(actor, "patients.recommend_home_roller", patient)
    clinic = Clinic.current()
    try:
        home_rules.check_needle(needle_mm, clinic.home_roller_min_mm, clinic.home_roller_max_mm)
    except home_rules.HomeCareError as error:
        raise _refuse(error, clinic) from None
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one at a time
    return HomeRoller.objects.create(
        patient=patient, needle_mm=needle_mm, note=note.strip(),
        recommended_at=now or timezone.now(), recommended_by=actor,
    )  # fmt: skip


@transaction.atomic
def log_home_use(
    *,
    roller: HomeRoller,
    used_at: datetime,
    disinfected: bool,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[HomeUse, bool]:
    """The patient logs one use of their current roller: (the use, whether it is new).

    Refused: a time in the future or before the recommendation, a roller that is
    worn (the clinic's ``home_roller_worn_uses``) or no longer the current one.
    The same time logged twice (a double submit) is the one use already logged.
    A use inside the quiet days around a clinic session is logged (it happened,
    and the practitioner needs to see it); the page warns the patient.
    """
    require(actor, "patients.log_home_use", roller)
    clinic, now = Clinic.current(), now or timezone.now()
    locked = HomeRoller.objects.select_for_update().get(pk=roller.pk)
    try:
        home_rules.check_use_time(used_at, now=now, recommended_at=locked.recommended_at)
        existing = locked.uses.filter(used_at=used_at).first()
        if existing is not None:
            return existing, False
        latest = HomeRoller.objects.filter(patient_id=locked.patient_id).first()
        if latest is not None and latest.pk != locked.pk:
            raise home_rules.HomeCareError("superseded")
        home_rules.check_can_log(locked.uses.count(), clinic.home_roller_worn_uses)
    except home_rules.HomeCareError as error:
        raise _refuse(error, clinic) from None
    use = HomeUse.objects.create(
        roller=locked, used_at=used_at, disinfected=disinfected, logged_at=now
    )
    return use, True
