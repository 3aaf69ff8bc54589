"""Writes through the services: sessions moved, cancelled, marked; the session day's steps;
screenings, consents, outbox retries. Each names its acting user; a refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import Procedure, SessionChange, SessionStatus
from patients import services as patient_services
from patients.models import Screening
from patients.screening import Answers
from reminders.models import Kind, OutboxMessage, Status
from tests.api.conftest import ApiClient, make_token
from tests.factories import PractitionerFactory

DAY = "2026-01-06 09:50Z"  # session 1 arrives at 10:00 London


@pytest.fixture
def course(book):
    return book(sessions_planned=4)


def local(moment):
    return timezone.localtime(moment)


def test_reschedule_this_and_following(practitioner_api, course, practitioner):
    sessions = list(course.sessions.order_by("arrives_at"))
    second = sessions[1]
    new_day = local(second.arrives_at).date() + timedelta(days=7)
    answer = practitioner_api.post(f"/api/v1/sessions/{second.pk}/reschedule/", {
        "new_day": new_day.isoformat(), "new_time": "11:00", "scope": "following",
        "reason": "Patient's holiday", "version": second.schedule_version,
    })  # fmt: skip
    assert answer.status_code == 200, answer.json()
    moved = answer.json()["sessions"]
    assert [s["id"] for s in moved] == [s.pk for s in sessions[1:]]
    second.refresh_from_db()
    assert local(second.arrives_at).date() == new_day
    change = SessionChange.objects.filter(session=second, kind="rescheduled").get()
    assert change.changed_by == practitioner.user


def test_reschedule_from_a_stale_version_is_409_and_moves_nothing(practitioner_api, course):
    second = course.sessions.order_by("arrives_at")[1]
    before = second.arrives_at
    answer = practitioner_api.post(f"/api/v1/sessions/{second.pk}/reschedule/", {
        "new_day": (local(before).date() + timedelta(days=7)).isoformat(), "new_time": "11:00",
        "scope": "this", "version": second.schedule_version + 1,
    })  # fmt: skip
    assert answer.status_code == 409
    assert answer.json()["code"] == "stale"
    second.refresh_from_db()
    assert second.arrives_at == before


def test_cancel_needs_a_reason_then_cancels(reception_api, course, reception):
    session = course.sessions.order_by("arrives_at").last()
    url = f"/api/v1/sessions/{session.pk}/cancel/"
    assert reception_api.post(url, {}).status_code == 400
    assert reception_api.post(url, {"reason": "  "}).status_code == 400
    answer = reception_api.post(url, {"reason": "Moved away"})
    assert answer.json()["status"] == SessionStatus.CANCELLED
    assert SessionChange.objects.get(session=session, kind="cancelled").changed_by == reception


def test_no_show_only_after_the_arrival_time(reception_api, course, time_machine):
    session = course.sessions.order_by("arrives_at").first()
    url = f"/api/v1/sessions/{session.pk}/no-show/"
    assert reception_api.post(url).json()["code"] == "not_yet"
    time_machine.move_to(session.arrives_at + timedelta(minutes=30), tick=False)
    assert reception_api.post(url).json()["status"] == SessionStatus.NO_SHOW


def test_confirm_attendance_by_the_front_desk(reception_api, course):
    session = course.sessions.order_by("arrives_at").first()
    answer = reception_api.post(f"/api/v1/sessions/{session.pk}/confirm/")
    assert answer.json()["status"] == SessionStatus.CONFIRMED


def test_the_session_day_in_order_through_the_api(practitioner_api, draft, practitioner,
                                                  time_machine):  # fmt: skip
    from courses import services

    course = draft(needle_mm=Decimal("1.0"), target_gap_weeks=3, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(patient=course.patient, answers=Answers(), notes="",
                                      actor=practitioner.user)  # fmt: skip
    session = course.sessions.get(number=1)
    url = f"/api/v1/sessions/{session.pk}/procedure/"
    done = practitioner_api.post(url, {"step": "check-in"})
    assert done.status_code == 200, done.json()
    version = done.json()["procedure"]["version"]
    skipped = practitioner_api.post(url, {"step": "start", "version": version})
    assert skipped.status_code == 422  # cream first for a 1.0 mm needle
    cream = practitioner_api.post(url, {"step": "cream-on", "version": version})
    assert cream.json()["session"]["status"] == SessionStatus.CREAM_ON
    early = practitioner_api.post(
        url, {"step": "cream-off", "version": cream.json()["procedure"]["version"]}
    )
    assert early.status_code == 422  # before the exposure time
    assert practitioner_api.get(url).json()["procedure"]["checked_in_by"] == practitioner.user.pk


def test_a_step_refuses_members_it_does_not_take(practitioner_api, course):
    session = course.sessions.order_by("arrives_at").first()
    url = f"/api/v1/sessions/{session.pk}/procedure/"
    answer = practitioner_api.post(url, {"step": "check-in", "zone": "forehead"})
    assert answer.status_code == 400
    assert "zone" in answer.json()["errors"]
    assert practitioner_api.post(url, {"step": "cream-on"}).json()["errors"]["version"]
    assert not Procedure.objects.exists()


def test_another_practitioners_session_day_is_403(course, db):
    other = PractitionerFactory().user
    session = course.sessions.order_by("arrives_at").first()
    answer = ApiClient(make_token(other)).post(
        f"/api/v1/sessions/{session.pk}/procedure/", {"step": "check-in"}
    )
    assert answer.status_code == 403
    assert not Procedure.objects.exists()


def test_a_screening_result_is_computed_as_on_the_screen(practitioner_api, patient):
    answer = practitioner_api.post(f"/api/v1/patients/{patient.pk}/screenings/", {
        "acne_regions": ["face"], "notes": "flare on the chin",
    })  # fmt: skip
    assert answer.status_code == 201, answer.json()
    assert answer.json()["result"] == "defer"
    patient.refresh_from_db()
    assert patient.latest_screening_id == answer.json()["id"]
    assert (
        Screening.objects.get(pk=answer.json()["id"]).taken_by == patient.latest_screening.taken_by
    )


@pytest.mark.parametrize(
    "body",
    [
        {"caution_decision": "approve", "caution_reason": "ok"},  # no rosacea
        {"rosacea": True, "caution_decision": "approve"},  # no reason
        {"acne_regions": ["elbow"]},
        {"herpes_active": "maybe"},
        {"result": "clear"},
    ],
)
def test_bad_screenings_are_refused(practitioner_api, patient, body):
    before = Screening.objects.count()
    answer = practitioner_api.post(f"/api/v1/patients/{patient.pk}/screenings/", body)
    assert answer.status_code == 400
    assert Screening.objects.count() == before


def test_reception_neither_reads_nor_takes_screenings(reception_api, patient):
    url = f"/api/v1/patients/{patient.pk}/screenings/"
    assert reception_api.get(url).status_code == 403
    assert reception_api.post(url, {}).status_code == 403


def test_consent_on_the_current_sheet(practitioner_api, patient, practitioner):
    answer = practitioner_api.post(f"/api/v1/patients/{patient.pk}/consents/")
    assert answer.status_code == 201
    assert answer.json()["witnessed_by"] == practitioner.user.pk
    listed = practitioner_api.get(f"/api/v1/patients/{patient.pk}/consents/").json()
    assert listed["results"][0]["id"] == answer.json()["id"]


def test_outbox_retry(reception_api, db):
    message = OutboxMessage.objects.create(
        kind=Kind.DAILY_AGENDA, channel="email", recipient="a@clinic.example",
        due_at=timezone.now(), dedupe_key="t:1", status=Status.FAILED, attempts=5,
    )  # fmt: skip
    url = f"/api/v1/outbox/{message.pk}/retry/"
    assert reception_api.post(url).json()["status"] == Status.PENDING
    assert reception_api.post(url).json()["code"] == "not_failed"


def test_materials_through_the_api_take_a_usable_lot_only(practitioner_api, book, practitioner,
                                                          time_machine):  # fmt: skip
    """The lot is a record (issue #19): an expired or recalled one is refused with the
    session day's code, nothing recorded; one in stock is recorded on the procedure."""
    from clinic.models import Device, DeviceType, Product
    from tests.factories import LotFactory

    course = book(sessions_planned=4)  # 0.5 mm: no cream
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(patient=course.patient, answers=Answers(), notes="",
                                      actor=practitioner.user)  # fmt: skip
    kind = DeviceType.objects.create(name="Roller 0.5", kind="roller", needle_mm=Decimal("0.5"))
    device = Device.objects.create(device_type=kind, label="R-05",
                                   last_disinfected_at=timezone.now())  # fmt: skip
    serum = Product.objects.create(name="HA serum", texture="serum", low_molecular_weight=True)
    expired = LotFactory(product=serum, expires_on=timezone.localdate() - timedelta(days=1))
    recalled = LotFactory(product=serum, recalled_at=timezone.now(), recall_reason="Supplier")
    good = LotFactory(product=serum)
    session = course.sessions.get(number=1)
    url = f"/api/v1/sessions/{session.pk}/procedure/"
    version = practitioner_api.post(url, {"step": "check-in"}).json()["procedure"]["version"]
    answer = practitioner_api.post(url, {"step": "antiseptic-before", "version": version})
    version = answer.json()["procedure"]["version"]
    body = {"step": "materials", "version": version, "product": serum.pk, "device": device.pk}
    for lot, code in ((expired, "lot_expired"), (recalled, "lot_recalled")):
        refused = practitioner_api.post(url, body | {"lot": lot.pk})
        assert refused.status_code == 422, refused.json()
        assert refused.json()["code"] == code
        assert Procedure.objects.get(session=session).lot_id is None
    chosen = practitioner_api.post(url, body | {"lot": good.pk})
    assert chosen.status_code == 200, chosen.json()
    assert chosen.json()["procedure"]["lot"] == good.pk
