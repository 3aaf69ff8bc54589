from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients import services
from patients.clearance import planning_deferrals, planning_problems, session_day_problems
from patients.models import CautionDecision, Patient, ProcedureConsent, Screening
from patients.screening import Answers
from tests.factories import InformationSheetFactory, PatientFactory, staff_actor


@pytest.fixture
def patient(db):
    return PatientFactory()


def screen(patient, user, **answers):
    return services.record_screening(
        patient=patient, answers=Answers(**answers), notes="", actor=user
    )


def test_screening_result_is_computed_and_becomes_current(patient, staff_user):
    first = screen(patient, staff_user)
    second = screen(patient, staff_user, anticoagulants=True)
    patient.refresh_from_db()
    assert first.result == "clear"
    assert second.result == "refuse"
    assert patient.latest_screening == second
    assert Screening.objects.filter(patient=patient).count() == 2


def test_decision_with_screening_needs_a_cautionary_finding(patient, staff_user):
    with pytest.raises(services.PatientError) as error:
        services.record_screening(
            patient=patient,
            answers=Answers(),
            notes="",
            actor=staff_user,
            caution_approved=True,
            caution_reason="fine",
        )
    assert error.value.code == "no_caution"
    assert not Screening.objects.exists()


def test_caution_decision_is_recorded_once_on_the_current_screening(patient, staff_user):
    record = screen(patient, staff_user, rosacea=True)
    services.record_caution_decision(
        screening_record=record, approved=True, reason="Mild, stable", actor=staff_user
    )
    with pytest.raises(services.PatientError) as error:
        services.record_caution_decision(
            screening_record=record, approved=False, reason="x", actor=staff_user
        )
    assert error.value.code == "already_decided"
    assert CautionDecision.objects.get().approved is True


def test_caution_decision_on_a_superseded_screening_is_refused(patient, staff_user):
    old = screen(patient, staff_user, rosacea=True)
    screen(patient, staff_user, rosacea=True)
    with pytest.raises(services.PatientError) as error:
        services.record_caution_decision(
            screening_record=old, approved=True, reason="ok", actor=staff_user
        )
    assert error.value.code == "superseded"
    assert not CautionDecision.objects.exists()


def test_consent_only_on_the_current_sheet(patient, staff_user):
    old = InformationSheetFactory(published_on=timezone.localdate() - timedelta(days=100))
    current = InformationSheetFactory()
    with pytest.raises(services.PatientError):
        services.record_consent(patient=patient, sheet=old, actor=staff_user)
    assert not ProcedureConsent.objects.exists()
    services.record_consent(patient=patient, sheet=current, actor=staff_user)
    patient.refresh_from_db()
    assert patient.latest_consent.sheet == current


def test_new_sheet_makes_old_consent_stale(patient, staff_user):
    sheet = InformationSheetFactory(published_on=timezone.localdate() - timedelta(days=50))
    services.record_consent(patient=patient, sheet=sheet, actor=staff_user)
    screen(patient, staff_user)
    patient.refresh_from_db()
    assert planning_problems(patient, region="face") == []
    InformationSheetFactory(published_on=timezone.localdate())
    assert [p.code for p in planning_problems(patient, region="face")] == ["consent_missing"]


def test_clearance_for_a_region_and_for_the_session_day(patient, staff_user, time_machine):
    time_machine.move_to("2026-05-04 10:00Z", tick=False)
    services.record_consent(patient=patient, sheet=InformationSheetFactory(), actor=staff_user)
    screen(patient, staff_user, wart_regions=frozenset({"hands"}))
    patient.refresh_from_db()
    assert planning_problems(patient, region="face") == []
    assert planning_problems(patient, region="hands") == []  # a deferral does not block planning
    assert [p.code for p in planning_deferrals(patient, region="hands")] == ["defer_warts"]
    assert planning_deferrals(patient, region="face") == []
    assert session_day_problems(patient, region="face") == []
    time_machine.move_to("2026-05-05 10:00Z", tick=False)
    assert [p.code for p in session_day_problems(patient, region="face")] == ["screening_not_today"]


def test_session_day_uses_the_clinic_time_zone(patient, staff_user, time_machine, settings):
    settings.TIME_ZONE = "Europe/London"  # BST: UTC+1 in May
    time_machine.move_to("2026-05-04 23:30Z", tick=False)  # 00:30 on 5 May in London
    services.record_consent(patient=patient, sheet=InformationSheetFactory(), actor=staff_user)
    screen(patient, staff_user)
    patient.refresh_from_db()
    time_machine.move_to("2026-05-05 09:00Z", tick=False)
    assert session_day_problems(patient, region="face") == []


@pytest.mark.parametrize(
    ("channel", "phone", "refused"),
    [("sms", "+44 20 7946 0000x", True), ("sms", "+44 20 7946 0000", True),
     ("email", "+44 20 7946 0000", False), ("sms", "+44 7400 123456", False)],
)  # fmt: skip
def test_save_patient_refuses_phone_junk_and_landlines_for_sms(db, channel, phone, refused):
    patient = PatientFactory.build(reminder_channel=channel, phone=phone)
    consents = {"email_consent": True, "sms_consent": True, "guardian_consent": False}
    if refused:
        with pytest.raises(ValidationError) as error:
            services.save_patient(patient=patient, **consents, actor=staff_actor())
        assert "phone" in error.value.message_dict
    else:
        services.save_patient(patient=patient, **consents, actor=staff_actor())
    assert Patient.objects.exists() is not refused


def test_save_patient_records_and_withdraws_reminder_consent(db):
    now = timezone.now()
    patient = services.save_patient(
        patient=PatientFactory.build(email="Mixed@Example.COM"),
        email_consent=True,
        sms_consent=False,
        guardian_consent=False,
        now=now,
        actor=staff_actor(),
    )
    assert patient.email == "mixed@example.com"
    assert patient.email_consent_at == now
    later = now + timedelta(days=1)
    services.save_patient(
        patient=patient,
        email_consent=True,
        sms_consent=True,
        guardian_consent=False,
        now=later,
        actor=staff_actor(),
    )
    patient.refresh_from_db()
    assert patient.email_consent_at == now  # the original time is kept
    assert patient.sms_consent_at == later
    services.save_patient(
        patient=patient,
        email_consent=False,
        sms_consent=True,
        guardian_consent=False,
        actor=staff_actor(),
    )
    patient.refresh_from_db()
    assert patient.email_consent_at is None
    assert Patient.objects.count() == 1
