from datetime import timedelta
from decimal import Decimal

import pytest

from clinic.models import Device, DeviceType, Disinfection, Product
from courses import services, session_day
from courses.models import AftercareSheet, CourseStatus, Session, SessionStatus
from patients import services as patient_services
from patients.screening import Answers

DAY = "2026-01-06 09:50Z"  # session 1 arrives at 10:00 London (UTC in January)


@pytest.fixture
def course(draft, practitioner):
    course = draft(needle_mm=Decimal("1.0"), target_gap_weeks=3, sessions_planned=4)
    services.confirm_course(course=course, confirmed_by=practitioner.user)
    return course


@pytest.fixture
def session(course, time_machine, practitioner):
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", taken_by=practitioner.user
    )
    return course.sessions.get(number=1)


@pytest.fixture
def device(db, time_machine):
    kind = DeviceType.objects.create(name="Roller 1.0", kind="roller", needle_mm=Decimal("1.0"))
    return Device.objects.create(
        device_type=kind, label="R-10", use_limit=2, last_disinfected_at="2026-01-01T00:00Z"
    )


@pytest.fixture
def product(db):
    return Product.objects.create(name="HA serum", texture="serum", low_molecular_weight=True)


def advance(time_machine, **delta):
    from django.utils import timezone

    time_machine.move_to(timezone.now() + timedelta(**delta), tick=False)


def version(session):
    return Session.objects.get(pk=session.pk).procedure.version


def ready_for_materials(session, user, time_machine):
    """Check-in, cream on and washed off, antiseptic: the product and device come next."""
    session_day.check_in(session=session, by=user)
    session_day.put_cream_on(session=session, version=version(session))
    advance(time_machine, minutes=20)
    session_day.wash_cream_off(session=session, version=version(session))
    session_day.record_antiseptic_before(session=session, version=version(session))


def prepare(session, user, device, product, time_machine):
    ready_for_materials(session, user, time_machine)
    session_day.choose_materials(
        session=session, version=version(session), product=product, product_lot="L-42",
        device=device,
    )  # fmt: skip


def roll_and_finish(session, zones=("forehead",)):
    for zone in zones:
        session_day.record_passes(
            session=session, version=version(session), zone=zone, horizontal=7, vertical=7,
            diagonal=7,
        )  # fmt: skip
    session_day.record_antiseptic_after(session=session, version=version(session))
    session_day.finish(session=session, version=version(session), end_point="erythema")


def test_a_whole_session_with_cream(session, practitioner, device, product, time_machine):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session))
    for zone in ("forehead", "cheeks"):
        session_day.record_passes(
            session=session, version=version(session), zone=zone, horizontal=7, vertical=7,
            diagonal=7,
        )  # fmt: skip
    session_day.record_needle_change(session=session, version=version(session), note="dull")
    session_day.record_antiseptic_after(session=session, version=version(session))
    session_day.finish(session=session, version=version(session), end_point="erythema")
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    procedure = session.procedure
    assert procedure.cream_off_at - procedure.cream_on_at == timedelta(minutes=20)
    assert procedure.needle_changes.count() == 1
    device.refresh_from_db()
    assert (device.use_count, device.last_used_at) == (1, procedure.started_at)
    sheet = AftercareSheet.objects.get(session=session)
    assert "Full recovery takes 3 to 5 days" in sheet.text
    assert "Tuesday 27 January 2026 at 10:00" in sheet.text
    session.course.refresh_from_db()
    assert session.course.status == CourseStatus.IN_PROGRESS


def test_check_in_refuses_a_screening_not_taken_today(course, practitioner, time_machine):
    time_machine.move_to(DAY, tick=False)
    first = course.sessions.get(number=1)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=first, by=practitioner.user)
    assert error.value.code == "not_cleared"
    assert "re-confirmed on the day" in error.value.message
    assert Session.objects.get(pk=first.pk).status == SessionStatus.SCHEDULED


def test_check_in_refuses_a_deferred_patient_and_keeps_the_course(
    course, practitioner, time_machine
):
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(herpes_active=True), notes="",
        taken_by=practitioner.user,
    )  # fmt: skip
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=course.sessions.get(number=1), by=practitioner.user)
    assert "Herpes exacerbation" in error.value.message
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED


def test_wash_off_refused_one_second_early_and_accepted_on_time(
    session, practitioner, time_machine
):
    session_day.check_in(session=session, by=practitioner.user)
    session_day.put_cream_on(session=session, version=version(session))
    advance(time_machine, minutes=19, seconds=59)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.wash_cream_off(session=session, version=version(session))
    assert error.value.code == "cream_too_early"
    assert "0 min 01 s left" in error.value.message
    advance(time_machine, seconds=1)
    session_day.wash_cream_off(session=session, version=version(session))
    assert Session.objects.get(pk=session.pk).status == SessionStatus.CREAM_OFF


def test_needling_cannot_start_before_wash_off(session, practitioner):
    session_day.check_in(session=session, by=practitioner.user)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.start_procedure(session=session, version=version(session))
    assert error.value.code == "cream_required"
    session_day.put_cream_on(session=session, version=version(session))
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.start_procedure(session=session, version=version(session))
    assert error.value.code == "cream_required"


def test_worn_device_cannot_be_chosen(session, practitioner, device, product, time_machine):
    device.use_count = device.use_limit
    device.save()
    ready_for_materials(session, practitioner.user, time_machine)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.choose_materials(
            session=session, version=version(session), product=product, product_lot="L",
            device=device,
        )  # fmt: skip
    assert error.value.code == "device_worn"


def test_device_must_be_disinfected_after_each_use(
    session, course, practitioner, device, product, time_machine
):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session))
    device.refresh_from_db()
    assert device.use_count == 1
    roll_and_finish(session)
    second = course.sessions.get(number=2)
    time_machine.move_to(second.arrives_at - timedelta(minutes=5), tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", taken_by=practitioner.user
    )
    ready_for_materials(second, practitioner.user, time_machine)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.choose_materials(
            session=second, version=version(second), product=product, product_lot="L",
            device=device,
        )  # fmt: skip
    assert error.value.code == "device_not_disinfected"
    session_day.record_disinfection(device=device, moment="before", by=practitioner.user)
    session_day.choose_materials(
        session=second, version=version(second), product=product, product_lot="L", device=device
    )
    assert Disinfection.objects.filter(device=device, moment="before").count() == 1


def test_needle_length_must_match_the_device(session, practitioner, product, time_machine):
    kind = DeviceType.objects.create(name="Roller 0.5", kind="roller", needle_mm=Decimal("0.5"))
    short = Device.objects.create(
        device_type=kind, label="R-05", last_disinfected_at="2026-01-01T00:00Z"
    )
    ready_for_materials(session, practitioner.user, time_machine)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.choose_materials(
            session=session, version=version(session), product=product, product_lot="L",
            device=short,
        )  # fmt: skip
    assert error.value.code == "device_needle_mismatch"


def test_a_stale_tab_cannot_overwrite(session, practitioner):
    session_day.check_in(session=session, by=practitioner.user)
    seen = version(session)  # both tabs show this version
    session_day.put_cream_on(session=session, version=seen)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.put_cream_on(session=session, version=seen)
    assert error.value.code == "stale"
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.record_antiseptic_before(session=session, version=seen)
    assert error.value.code == "stale"
    assert Session.objects.get(pk=session.pk).procedure.antiseptic_before_at is None


def test_finishing_short_needs_a_reason(session, practitioner, device, product, time_machine):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session))
    session_day.record_passes(
        session=session, version=version(session), zone="forehead", horizontal=7, vertical=4,
        diagonal=7,
    )  # fmt: skip
    session_day.record_antiseptic_after(session=session, version=version(session))
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.finish(session=session, version=version(session), end_point="erythema")
    assert "forehead (vertical 4/7)" in error.value.message
    session_day.finish(
        session=session, version=version(session), end_point="erythema",
        stop_reason="Patient felt faint",
    )  # fmt: skip
    session.refresh_from_db()
    assert session.status == SessionStatus.STOPPED
    assert session.procedure.stop_reason == "Patient felt faint"


def test_invalid_moves_are_refused(session, practitioner):
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.put_cream_on(session=session, version=1)
    assert error.value.code == "stale"  # no procedure before check-in
    session_day.check_in(session=session, by=practitioner.user)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=session, by=practitioner.user)
    assert error.value.code == "invalid_move"
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.wash_cream_off(session=session, version=version(session))
    assert error.value.code == "invalid_move"
