"""Consent in the patient's language, signed on the course page or witnessed (issue #17)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from patients import services
from patients.clearance import current_information_sheet, has_current_consent, patient_sheet
from patients.models import (
    ConsentMethod,
    InformationSheet,
    ProcedureConsent,
    RecordSource,
    sheet_text_sha256,
)
from tests.factories import InformationSheetFactory, PatientFactory

DRAWING = "M10 10 L20 20 L30 25 M100 50 L120 60 L140 70"


@pytest.fixture
def sheets(db):
    old = timezone.localdate() - timedelta(days=30)
    return {
        "en": InformationSheetFactory(version="2026-01", language="en", published_on=old),
        "ru": InformationSheetFactory(
            version="2026-01", language="ru", title="Информация", text="Текст", published_on=old
        ),
    }


@pytest.fixture
def link(db):
    return system_actor(SystemActor.PATIENT_LINK)


def sign(patient, sheet, link, **kwargs):
    values = {"shown_sha256": sheet.text_sha256, "typed_name": "Anna Ivanova"}
    values.update(kwargs)
    return services.record_patient_consent(patient=patient, sheet=sheet, actor=link, **values)


def test_the_current_sheet_is_the_patients_language_else_the_clinics(sheets):
    assert patient_sheet(PatientFactory(language="ru")) == sheets["ru"]
    assert patient_sheet(PatientFactory(language="en")) == sheets["en"]
    assert patient_sheet(PatientFactory(language="de")) == sheets["en"]  # no German sheet


def test_a_newer_sheet_in_the_language_replaces_the_older(sheets):
    newer = InformationSheetFactory(version="2026-02", language="ru")
    InformationSheetFactory(
        version="2026-03", language="ru", published_on=timezone.localdate() + timedelta(days=1)
    )  # not published yet
    assert current_information_sheet(language="ru") == newer


def test_the_hash_is_of_the_sheet_exactly_as_shown(sheets):
    sheet = sheets["ru"]
    assert sheet.text_sha256 == sheet_text_sha256("Информация", "Текст")
    assert len(sheet.text_sha256) == 64
    assert sheet_text_sha256("Информация", "Текст ") != sheet.text_sha256


def test_the_patient_signs_with_a_typed_name(sheets, link):
    patient = PatientFactory(language="ru")
    consent = sign(patient, sheets["ru"], link, typed_name="  Анна   Иванова ")
    assert consent.source == RecordSource.PATIENT
    assert consent.method == ConsentMethod.TYPED
    assert consent.signature_name == "Анна Иванова"
    assert consent.signature_drawing == ""
    assert consent.text_sha256 == sheets["ru"].text_sha256
    assert consent.witnessed_by == link
    patient.refresh_from_db()
    assert patient.latest_consent == consent
    assert has_current_consent(patient, patient_sheet(patient))


def test_the_patient_signs_with_a_drawing(sheets, link):
    patient = PatientFactory(language="en")
    consent = sign(patient, sheets["en"], link, typed_name="", drawing=DRAWING)
    assert consent.method == ConsentMethod.DRAWN
    assert consent.signature_drawing == DRAWING
    assert consent.signature_name == ""


@pytest.mark.parametrize(
    ("typed_name", "drawing", "code"),
    [
        ("", "", "one_signature"),
        ("Anna Ivanova", DRAWING, "one_signature"),
        ("x", "", "name_too_short"),
        ("Anna\x00Ivanova", "", "name_control"),
        ("", "M1 1 L2 2", "drawing_too_short"),
        ("", "M1 1 L2 2 L3 3 L4 4 L900 5", "drawing_outside"),
        ("", "<svg onload=alert(1)>", "drawing_format"),
    ],
)
def test_a_bad_signature_is_refused_and_nothing_saved(sheets, link, typed_name, drawing, code):
    patient = PatientFactory()
    with pytest.raises(services.PatientError) as refused:
        sign(patient, sheets["en"], link, typed_name=typed_name, drawing=drawing)
    assert refused.value.code == code
    assert not ProcedureConsent.objects.exists()


def test_a_sheet_changed_since_it_was_shown_is_refused(sheets, link):
    patient = PatientFactory()
    shown = sheets["en"].text_sha256
    InformationSheet.objects.filter(pk=sheets["en"].pk).update(text="Edited meanwhile.")
    sheet = InformationSheet.objects.get(pk=sheets["en"].pk)
    with pytest.raises(services.PatientError) as refused:
        sign(patient, sheet, link, shown_sha256=shown)
    assert refused.value.code == "sheet_changed"
    assert not ProcedureConsent.objects.exists()


def test_a_sheet_in_another_language_is_not_the_patients(sheets, link):
    patient = PatientFactory(language="ru")
    with pytest.raises(services.PatientError) as refused:
        sign(patient, sheets["en"], link)
    assert refused.value.code == "sheet_not_current"


def test_signing_twice_keeps_one_record(sheets, link):
    patient = PatientFactory()
    sign(patient, sheets["en"], link)
    with pytest.raises(services.PatientError) as refused:
        sign(patient, sheets["en"], link, typed_name="Someone Else")
    assert refused.value.code == "already_consented"
    assert ProcedureConsent.objects.filter(patient=patient).count() == 1


def test_only_the_patients_link_signs_on_the_course_page(sheets, practitioner):
    with pytest.raises(PermissionDenied):
        sign(PatientFactory(), sheets["en"], practitioner.user)


def test_staff_witnessed_consent_still_works_and_keeps_the_hash(sheets, practitioner):
    patient = PatientFactory(language="ru")
    consent = services.record_consent(patient=patient, sheet=sheets["ru"], actor=practitioner.user)
    assert consent.source == RecordSource.STAFF
    assert consent.method == ConsentMethod.WITNESSED
    assert consent.witnessed_by == practitioner.user
    assert consent.text_sha256 == sheets["ru"].text_sha256
    with pytest.raises(services.PatientError):  # the English sheet is not hers
        services.record_consent(patient=patient, sheet=sheets["en"], actor=practitioner.user)


def test_the_database_refuses_an_online_consent_without_its_signature(sheets, link):
    patient = PatientFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureConsent.objects.create(
            patient=patient, sheet=sheets["en"], witnessed_by=link,
            source=RecordSource.PATIENT, method=ConsentMethod.TYPED,
            text_sha256=sheets["en"].text_sha256,
        )  # fmt: skip


def test_a_consent_on_the_old_sheet_stops_counting_for_a_new_one(sheets, link):
    patient = PatientFactory(language="ru")
    sign(patient, sheets["ru"], link)
    patient.refresh_from_db()
    InformationSheetFactory(version="2026-02", language="ru")
    assert not has_current_consent(patient, patient_sheet(patient))


def test_a_language_changed_back_finds_the_consent_given_in_it(sheets, link, practitioner):
    """Consented in Russian, then (language changed) in English: back in Russian, the
    Russian consent counts again, without asking the patient to sign twice."""
    patient = PatientFactory(language="ru")
    russian = sign(patient, sheets["ru"], link)
    patient.language = "en"
    services.save_patient(patient=patient, email_consent=False, sms_consent=False,
                          guardian_consent=False, actor=practitioner.user)  # fmt: skip
    assert not has_current_consent(patient, patient_sheet(patient))
    sign(patient, sheets["en"], link)
    patient.refresh_from_db()
    patient.language = "ru"
    services.save_patient(patient=patient, email_consent=False, sms_consent=False,
                          guardian_consent=False, actor=practitioner.user)  # fmt: skip
    patient.refresh_from_db()
    assert patient.latest_consent == russian
    assert has_current_consent(patient, patient_sheet(patient))
