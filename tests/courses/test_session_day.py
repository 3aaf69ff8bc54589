from datetime import timedelta
from decimal import Decimal

import pytest

from clinic.models import Device, DeviceType, Disinfection, Product
from courses import services, session_day
from courses.models import (
    AftercareSheet,
    CourseStatus,
    Indication,
    Procedure,
    Session,
    SessionStatus,
    TreatmentArea,
    ZoneRecord,
)
from patients import services as patient_services
from patients.screening import Answers
from tests.factories import LotFactory, staff_actor

DAY = "2026-01-06 09:50Z"  # session 1 arrives at 10:00 London (UTC in January)


@pytest.fixture
def course(draft, practitioner):
    course = draft(needle_mm=Decimal("1.0"), target_gap_weeks=3, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course


@pytest.fixture
def session(course, time_machine, practitioner):
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
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
    session_day.check_in(session=session, actor=user)
    session_day.put_cream_on(session=session, version=version(session), actor=staff_actor())
    advance(time_machine, minutes=20)
    session_day.wash_cream_off(session=session, version=version(session), actor=staff_actor())
    session_day.record_antiseptic_before(
        session=session, version=version(session), actor=staff_actor()
    )


def prepare(session, user, device, product, time_machine):
    ready_for_materials(session, user, time_machine)
    session_day.choose_materials(
        session=session, version=version(session), product=product,
            lot=LotFactory(product=product),
        device=device,
        actor=staff_actor(),
    )  # fmt: skip


def roll_and_finish(session, zones=("forehead",)):
    for zone in zones:
        session_day.record_passes(
            session=session, version=version(session), zone=zone, horizontal=7, vertical=7,
            diagonal=7,
            actor=staff_actor(),
        )  # fmt: skip
    session_day.record_antiseptic_after(
        session=session, version=version(session), actor=staff_actor()
    )
    session_day.finish(
        session=session, version=version(session), end_point="erythema", actor=staff_actor()
    )


def test_a_whole_session_with_cream(session, practitioner, device, product, time_machine):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    for zone in ("forehead", "cheeks"):
        session_day.record_passes(
            session=session, version=version(session), zone=zone, horizontal=7, vertical=7,
            diagonal=7,
            actor=staff_actor(),
        )  # fmt: skip
    session_day.record_needle_change(
        session=session, version=version(session), note="dull", actor=staff_actor()
    )
    session_day.record_antiseptic_after(
        session=session, version=version(session), actor=staff_actor()
    )
    session_day.finish(
        session=session, version=version(session), end_point="erythema", actor=staff_actor()
    )
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


def test_the_aftercare_sheet_is_written_in_the_patients_language(
    session, practitioner, device, product, time_machine
):
    session.course.patient.language = "ru"
    session.course.patient.save(update_fields=["language"])
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    roll_and_finish(session)
    text = AftercareSheet.objects.get(session=session).text
    assert "27 января 2026" in text  # Django's catalogue names the month; staff used English
    assert "January" not in text


def test_check_in_refuses_a_screening_not_taken_today(course, practitioner, time_machine):
    time_machine.move_to(DAY, tick=False)
    first = course.sessions.get(number=1)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=first, actor=practitioner.user)
    assert error.value.code == "not_cleared"
    assert "re-confirmed on the day" in error.value.message
    assert Session.objects.get(pk=first.pk).status == SessionStatus.SCHEDULED


def test_check_in_refuses_a_deferred_patient_and_keeps_the_course(
    course, practitioner, time_machine
):
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(herpes_active=True), notes="",
        actor=practitioner.user,
    )  # fmt: skip
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=course.sessions.get(number=1), actor=practitioner.user)
    assert "Herpes exacerbation" in error.value.message
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED


@pytest.mark.parametrize(
    ("answers", "condition"),
    [
        (Answers(acne_regions=frozenset({"face"})), "Inflammatory elements"),
        (Answers(wart_regions=frozenset({"face"})), "Warts in the area"),
        (Answers(herpes_active=True), "Herpes exacerbation"),
    ],
)
def test_needling_cannot_start_after_a_new_screening_defers_the_area(
    session, practitioner, device, product, time_machine, answers, condition
):
    prepare(session, practitioner.user, device, product, time_machine)  # checked in while clear
    patient_services.record_screening(
        patient=session.course.patient, answers=answers, notes="", actor=practitioner.user
    )
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    assert error.value.code == "not_cleared"
    assert error.value.message.startswith("The patient cannot be treated today: ")
    assert condition in error.value.message
    session.refresh_from_db()
    assert session.status == SessionStatus.CREAM_OFF
    assert session.procedure.started_at is None
    device.refresh_from_db()
    assert device.use_count == 0


def test_needling_starts_when_a_new_screening_defers_only_another_area(
    session, practitioner, device, product, time_machine
):
    prepare(session, practitioner.user, device, product, time_machine)
    patient_services.record_screening(
        patient=session.course.patient, answers=Answers(acne_regions=frozenset({"body"})),
        notes="", actor=practitioner.user,
    )  # fmt: skip
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    assert Session.objects.get(pk=session.pk).status == SessionStatus.IN_PROCEDURE


@pytest.fixture
def body_course(draft, practitioner):
    course = draft(
        area=TreatmentArea.objects.get(code="body"),
        indication=Indication.objects.get(code="stretch-marks"), needle_mm=Decimal("2.0"),
        target_gap_weeks=5, sessions_planned=4,
    )  # fmt: skip
    services.confirm_course(course=course, actor=practitioner.user)
    return course


def test_herpes_defers_a_body_course_too(body_course, practitioner, time_machine):
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=body_course.patient, answers=Answers(herpes_active=True), notes="",
        actor=practitioner.user,
    )  # fmt: skip
    first = body_course.sessions.get(number=1)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=first, actor=practitioner.user)
    assert error.value.code == "not_cleared"
    assert "Herpes exacerbation" in error.value.message
    assert Session.objects.get(pk=first.pk).status == SessionStatus.SCHEDULED


def test_acne_on_the_face_does_not_touch_a_body_course(body_course, practitioner, time_machine):
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=body_course.patient, answers=Answers(acne_regions=frozenset({"face"})),
        notes="", actor=practitioner.user,
    )  # fmt: skip
    first = body_course.sessions.get(number=1)
    session_day.check_in(session=first, actor=practitioner.user)
    assert Session.objects.get(pk=first.pk).status == SessionStatus.CHECKED_IN


def test_wash_off_refused_one_second_early_and_accepted_on_time(
    session, practitioner, time_machine
):
    session_day.check_in(session=session, actor=practitioner.user)
    session_day.put_cream_on(session=session, version=version(session), actor=staff_actor())
    advance(time_machine, minutes=19, seconds=59)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.wash_cream_off(session=session, version=version(session), actor=staff_actor())
    assert error.value.code == "cream_too_early"
    assert "0 min 01 s left" in error.value.message
    advance(time_machine, seconds=1)
    session_day.wash_cream_off(session=session, version=version(session), actor=staff_actor())
    assert Session.objects.get(pk=session.pk).status == SessionStatus.CREAM_OFF


def test_needling_cannot_start_before_wash_off(session, practitioner):
    session_day.check_in(session=session, actor=practitioner.user)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    assert error.value.code == "cream_required"
    session_day.put_cream_on(session=session, version=version(session), actor=staff_actor())
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    assert error.value.code == "cream_required"


def test_worn_device_cannot_be_chosen(session, practitioner, device, product, time_machine):
    device.use_count = device.use_limit
    device.save()
    ready_for_materials(session, practitioner.user, time_machine)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.choose_materials(
            session=session, version=version(session), product=product,
            lot=LotFactory(product=product),
            device=device,
            actor=staff_actor(),
        )  # fmt: skip
    assert error.value.code == "device_worn"


def test_device_must_be_disinfected_after_each_use(
    session, course, practitioner, device, product, time_machine
):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    device.refresh_from_db()
    assert device.use_count == 1
    roll_and_finish(session)
    second = course.sessions.get(number=2)
    time_machine.move_to(second.arrives_at - timedelta(minutes=5), tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    ready_for_materials(second, practitioner.user, time_machine)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.choose_materials(
            session=second, version=version(second), product=product,
            lot=LotFactory(product=product),
            device=device,
            actor=staff_actor(),
        )  # fmt: skip
    assert error.value.code == "device_not_disinfected"
    session_day.record_disinfection(device=device, moment="before", actor=practitioner.user)
    session_day.choose_materials(
        session=second,
        version=version(second),
        product=product,
        lot=LotFactory(product=product),
        device=device,
        actor=staff_actor(),
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
            session=session, version=version(session), product=product,
            lot=LotFactory(product=product),
            device=short,
            actor=staff_actor(),
        )  # fmt: skip
    assert error.value.code == "device_needle_mismatch"


def test_a_stale_tab_cannot_overwrite(session, practitioner):
    session_day.check_in(session=session, actor=practitioner.user)
    seen = version(session)  # both tabs show this version
    session_day.put_cream_on(session=session, version=seen, actor=staff_actor())
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.put_cream_on(session=session, version=seen, actor=staff_actor())
    assert error.value.code == "stale"
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.record_antiseptic_before(session=session, version=seen, actor=staff_actor())
    assert error.value.code == "stale"
    assert Session.objects.get(pk=session.pk).procedure.antiseptic_before_at is None


def test_finishing_short_needs_a_reason(session, practitioner, device, product, time_machine):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    session_day.record_passes(
        session=session, version=version(session), zone="forehead", horizontal=7, vertical=4,
        diagonal=7,
        actor=staff_actor(),
    )  # fmt: skip
    session_day.record_antiseptic_after(
        session=session, version=version(session), actor=staff_actor()
    )
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.finish(
            session=session, version=version(session), end_point="erythema", actor=staff_actor()
        )
    assert "forehead (vertical 4/7)" in error.value.message
    session_day.finish(
        session=session, version=version(session), end_point="erythema",
        stop_reason="Patient felt faint",
        actor=staff_actor(),
    )  # fmt: skip
    session.refresh_from_db()
    assert session.status == SessionStatus.STOPPED
    assert session.procedure.stop_reason == "Patient felt faint"


def test_invalid_moves_are_refused(session, practitioner):
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.put_cream_on(session=session, version=1, actor=staff_actor())
    assert error.value.code == "stale"  # no procedure before check-in
    session_day.check_in(session=session, actor=practitioner.user)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=session, actor=practitioner.user)
    assert error.value.code == "invalid_move"
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.wash_cream_off(session=session, version=version(session), actor=staff_actor())
    assert error.value.code == "invalid_move"


def test_a_later_session_cannot_be_run_weeks_early(session, course, practitioner):
    session_day.check_in(session=session, actor=practitioner.user)
    second = course.sessions.get(number=2)  # Tuesday 27 January
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=second, actor=practitioner.user)
    assert error.value.code == "not_its_day"
    assert "booked for Tue 27 Jan 2026, not today" in error.value.message
    assert "move the session to today first" in error.value.message
    second.refresh_from_db()
    assert second.status == SessionStatus.SCHEDULED
    assert not Procedure.objects.filter(session=second).exists()


def test_check_in_is_refused_once_the_booked_day_has_passed(course, practitioner, time_machine):
    time_machine.move_to("2026-01-07 09:50Z", tick=False)  # the day after session 1
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    first = course.sessions.get(number=1)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=first, actor=practitioner.user)
    assert error.value.code == "not_its_day"
    assert "that day has passed" in error.value.message
    assert Session.objects.get(pk=first.pk).status == SessionStatus.SCHEDULED


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2026-01-05 15:30Z", True),  # 00:30 on Tuesday 6 January in Tokyo
        ("2026-01-06 14:59Z", True),  # 23:59 in Tokyo
        ("2026-01-06 15:00Z", False),  # midnight in Tokyo: the booked day is over
    ],
)
def test_the_booked_day_is_the_clinics_local_day(
    course, practitioner, time_machine, settings, moment, allowed
):
    settings.TIME_ZONE = "Asia/Tokyo"  # session 1 arrives 2026-01-06 10:00Z, 19:00 in Tokyo
    time_machine.move_to(moment, tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    first = course.sessions.get(number=1)
    if allowed:
        session_day.check_in(session=first, actor=practitioner.user)
        assert Session.objects.get(pk=first.pk).status == SessionStatus.CHECKED_IN
    else:
        with pytest.raises(session_day.SessionDayError) as error:
            session_day.check_in(session=first, actor=practitioner.user)
        assert error.value.code == "not_its_day"


STEPS = {
    "put_cream_on": {},
    "wash_cream_off": {},
    "record_antiseptic_before": {},
    "choose_materials": {},
    "start_procedure": {},
    "record_passes": {"zone": "chin", "horizontal": 7, "vertical": 7, "diagonal": 7},
    "remove_zone": {"zone_id": 1},
    "record_needle_change": {},
    "record_antiseptic_after": {},
    "finish": {"end_point": "erythema"},
}


@pytest.mark.parametrize("step", STEPS)
def test_every_step_is_refused_after_the_booked_day(
    step, session, practitioner, device, product, time_machine
):
    session_day.check_in(session=session, actor=practitioner.user)
    before = version(session)
    time_machine.move_to("2026-01-07 08:00Z", tick=False)
    kwargs = dict(STEPS[step])
    if step == "choose_materials":
        kwargs.update(product=product, lot=LotFactory(product=product), device=device)
    with pytest.raises(session_day.SessionDayError) as error:
        getattr(session_day, step)(
            session=session, version=before, actor=practitioner.user, **kwargs
        )
    assert error.value.code == "not_its_day"
    assert version(session) == before


def test_the_next_session_waits_for_the_earlier_one(course, practitioner, time_machine):
    from courses import rescheduling

    first, second = course.sessions.get(number=1), course.sessions.get(number=2)
    time_machine.move_to(second.arrives_at - timedelta(minutes=10), tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.check_in(session=second, actor=practitioner.user)
    assert error.value.code == "earlier_session_open"
    assert "Session 1 of this course (Tue 06 Jan 2026) is scheduled" in error.value.message
    assert Session.objects.get(pk=second.pk).status == SessionStatus.SCHEDULED
    rescheduling.mark_no_show(session=first, actor=practitioner.user)
    session_day.check_in(session=second, actor=practitioner.user)
    assert Session.objects.get(pk=second.pk).status == SessionStatus.CHECKED_IN


def test_antiseptic_waits_for_the_cream_to_come_off(session, practitioner, time_machine):
    session_day.check_in(session=session, actor=practitioner.user)
    for _ in ("before the cream", "while it is on"):
        with pytest.raises(session_day.SessionDayError) as error:
            session_day.record_antiseptic_before(
                session=session, version=version(session), actor=staff_actor()
            )
        assert error.value.code == "cream_required"
        assert Procedure.objects.get(session=session).antiseptic_before_at is None
        if Session.objects.get(pk=session.pk).status == SessionStatus.CHECKED_IN:
            session_day.put_cream_on(session=session, version=version(session), actor=staff_actor())
    advance(time_machine, minutes=20)
    session_day.wash_cream_off(session=session, version=version(session), actor=staff_actor())
    advance(time_machine, minutes=1)
    session_day.record_antiseptic_before(
        session=session, version=version(session), actor=staff_actor()
    )
    procedure = Procedure.objects.get(session=session)
    assert procedure.antiseptic_before_at > procedure.cream_off_at


def test_optional_cream_cannot_go_on_after_the_antiseptic(book, practitioner, time_machine):
    course = book(needle_mm=Decimal("0.5"))  # cream optional below 1.0 mm
    time_machine.move_to(DAY, tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    first = course.sessions.get(number=1)
    session_day.check_in(session=first, actor=practitioner.user)
    session_day.record_antiseptic_before(session=first, version=version(first), actor=staff_actor())
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.put_cream_on(session=first, version=version(first), actor=staff_actor())
    assert error.value.code == "out_of_order"
    assert Procedure.objects.get(session=first).cream_on_at is None


def test_the_product_comes_after_the_antiseptic(
    session, practitioner, device, product, time_machine
):
    session_day.check_in(session=session, actor=practitioner.user)
    session_day.put_cream_on(session=session, version=version(session), actor=staff_actor())
    advance(time_machine, minutes=20)
    session_day.wash_cream_off(session=session, version=version(session), actor=staff_actor())
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.choose_materials(
            session=session, version=version(session), product=product,
            lot=LotFactory(product=product),
            device=device,
            actor=staff_actor(),
        )  # fmt: skip
    assert error.value.code == "antiseptic_before"
    assert Procedure.objects.get(session=session).product is None


def test_the_last_antiseptic_follows_the_rolling_and_closes_it(
    session, practitioner, device, product, time_machine
):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.record_antiseptic_after(
            session=session, version=version(session), actor=staff_actor()
        )
    assert error.value.code == "no_zones"
    passes = {"zone": "forehead", "horizontal": 7, "vertical": 7, "diagonal": 7}
    session_day.record_passes(
        session=session, version=version(session), **passes, actor=staff_actor()
    )
    session_day.record_antiseptic_after(
        session=session, version=version(session), actor=staff_actor()
    )
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.record_passes(
            session=session, version=version(session), **passes, actor=staff_actor()
        )
    assert error.value.code == "out_of_order"
    zone = ZoneRecord.objects.get(procedure__session=session)
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.remove_zone(
            session=session, version=version(session), zone_id=zone.pk, actor=staff_actor()
        )
    assert error.value.code == "out_of_order"


def test_more_than_seven_passes_need_a_note_and_are_kept(
    session, practitioner, device, product, time_machine
):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    nine = {"zone": "forehead", "horizontal": 9, "vertical": 7, "diagonal": 7}
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.record_passes(
            session=session, version=version(session), **nine, actor=staff_actor()
        )
    assert error.value.code == "passes_over"
    assert "forehead (horizontal 9/7)" in error.value.message
    assert not ZoneRecord.objects.filter(procedure__session=session).exists()
    session_day.record_passes(
        session=session,
        version=version(session),
        note="Scar edge needed two more",
        **nine,
        actor=staff_actor(),
    )
    session_day.record_antiseptic_after(
        session=session, version=version(session), actor=staff_actor()
    )
    session_day.finish(
        session=session, version=version(session), end_point="erythema", actor=staff_actor()
    )
    zone = ZoneRecord.objects.get(procedure__session=session)
    assert (zone.horizontal, zone.note) == (9, "Scar edge needed two more")
    assert Session.objects.get(pk=session.pk).status == SessionStatus.COMPLETED


def test_a_zone_recorded_by_mistake_can_be_removed(
    session, practitioner, device, product, time_machine
):
    prepare(session, practitioner.user, device, product, time_machine)
    session_day.start_procedure(session=session, version=version(session), actor=staff_actor())
    for zone in ("forehead", "neck"):
        session_day.record_passes(
            session=session, version=version(session), zone=zone, horizontal=7, vertical=7,
            diagonal=7,
            actor=staff_actor(),
        )  # fmt: skip
    neck = ZoneRecord.objects.get(procedure__session=session, zone="neck")
    session_day.remove_zone(
        session=session, version=version(session), zone_id=neck.pk, actor=staff_actor()
    )
    left = ZoneRecord.objects.filter(procedure__session=session).values_list("zone", flat=True)
    assert list(left) == ["forehead"]
    with pytest.raises(session_day.SessionDayError) as error:
        session_day.remove_zone(
            session=session, version=version(session), zone_id=neck.pk, actor=staff_actor()
        )
    assert error.value.code == "zone_missing"
