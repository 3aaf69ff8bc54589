from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.actors import SystemActor, system_actor
from clinic.models import Absence, Closure
from courses import rescheduling, services
from courses.models import (
    HOLDING_STATUSES,
    ChangeKind,
    Course,
    CourseStatus,
    Indication,
    Session,
    SessionChange,
    SessionStatus,
    TreatmentArea,
)
from patients import services as patient_services
from patients.screening import Answers
from tests.factories import (
    PatientFactory,
    PractitionerFactory,
    cleared_patient,
    seed_clinic_hours,
)

LONDON = ZoneInfo("Europe/London")


def local_arrivals(sessions):
    return [s.arrives_at.astimezone(LONDON) for s in sessions]


def test_refuses_cellulite_and_offers_skin_tightening(draft):
    with pytest.raises(services.CourseError) as error:
        draft(indication=Indication.objects.get(code="cellulite"))
    assert error.value.codes == ["indication_refused"]
    assert "does nothing to body fat" in str(error.value)
    assert "Offer skin tightening on the body instead" in str(error.value)
    assert not Course.objects.exists()


def test_refuses_needle_outside_the_area_unless_overridden(draft):
    with pytest.raises(services.CourseError) as error:
        draft(needle_mm=Decimal("1.5"), target_gap_weeks=4)
    assert error.value.codes == ["needle_out_of_range"]
    course = draft(
        needle_mm=Decimal("1.5"), target_gap_weeks=4, needle_override_reason="Deep acne scars"
    )
    assert course.needle_override_reason == "Deep acne scars"


@pytest.mark.parametrize(
    ("needle", "weeks", "code"),
    [
        ("0.5", 1, "gap_below_minimum"),
        ("1.0", 2, "gap_below_minimum"),
        ("0.5", 7, "gap_above_maximum"),
    ],
)
def test_refuses_gap_outside_the_rules_unless_overridden(draft, needle, weeks, code):
    with pytest.raises(services.CourseError) as error:
        draft(needle_mm=Decimal(needle), target_gap_weeks=weeks)
    assert error.value.codes == [code]
    course = draft(needle_mm=Decimal(needle), target_gap_weeks=weeks, gap_override_reason="Travel")
    assert course.gap_override_reason == "Travel"


@pytest.mark.parametrize("count", [3, 7])
def test_refuses_session_count_outside_four_to_six(draft, count):
    with pytest.raises(services.CourseError) as error:
        draft(sessions_planned=count)
    assert error.value.codes == ["session_count"]


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        (Answers(anticoagulants=True), "refuse_anticoagulants"),
        (Answers(rosacea=True), "caution_undecided"),
        (Answers(eczema_psoriasis_regions=frozenset({"face"})), "refuse_eczema_psoriasis"),
    ],
)
def test_refuses_planning_for_a_screening_that_does_not_clear(draft, patient, answers, code):
    patient_services.record_screening(
        patient=patient, answers=answers, notes="", actor=patient.consents.first().witnessed_by
    )
    patient.refresh_from_db()
    with pytest.raises(services.CourseError) as error:
        draft(patient=patient)
    assert error.value.codes == [code]


def test_acne_on_the_body_does_not_block_a_face_course(draft, patient, practitioner):
    patient_services.record_screening(
        patient=patient, answers=Answers(acne_regions=frozenset({"body"})), notes="",
        actor=practitioner.user,
    )  # fmt: skip
    patient.refresh_from_db()
    assert draft(patient=patient).status == CourseStatus.DRAFT


def test_refuses_without_consent_or_with_an_expired_screening(draft, practitioner, time_machine):
    no_consent = PatientFactory()
    patient_services.record_screening(
        patient=no_consent, answers=Answers(), notes="", actor=practitioner.user
    )
    no_consent.refresh_from_db()
    with pytest.raises(services.CourseError) as error:
        draft(patient=no_consent)
    assert error.value.codes == ["consent_missing"]
    old = cleared_patient(practitioner.user)
    time_machine.move_to("2026-02-10 12:00Z", tick=False)
    with pytest.raises(services.CourseError) as error:
        draft(patient=old, start_on=date(2026, 2, 16))
    assert error.value.codes == ["screening_expired"]


def test_confirm_books_every_session_with_history(draft, practitioner):
    course = draft()
    proposals = services.propose_course(course)
    sessions = services.confirm_course(
        course=course,
        actor=practitioner.user,
        expected_arrivals=[p.slot.arrives_at for p in proposals],
    )
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED
    assert Session.objects.filter(course=course).count() == 6
    assert [a.date() for a in local_arrivals(sessions)] == [
        date(2026, 1, 6) + timedelta(weeks=3 * i) for i in range(6)
    ]
    assert SessionChange.objects.filter(kind=ChangeKind.BOOKED).count() == 6


def test_confirm_refuses_when_the_calendar_changed_since_the_preview(draft, practitioner, face):
    course = draft()
    previewed = [p.slot.arrives_at for p in services.propose_course(course)]
    Closure.objects.create(starts_on=date(2026, 1, 27), ends_on=date(2026, 1, 27), reason="Flood")
    with pytest.raises(services.PlanChanged) as changed:
        services.confirm_course(course=course, actor=practitioner.user, expected_arrivals=previewed)
    assert changed.value.proposals[1].day == date(2026, 1, 28)
    assert not Session.objects.exists()
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT


def test_second_course_for_the_same_practitioner_avoids_the_first(draft, practitioner):
    first = services.confirm_course(course=draft(), actor=practitioner.user)
    other = cleared_patient(practitioner.user)
    second = services.confirm_course(course=draft(patient=other), actor=practitioner.user)
    assert local_arrivals(first)[0].time() == time(10)
    # 09:15 and 10:45 are equally near 10:00; the earlier wins. It ends as the first starts.
    assert local_arrivals(second)[0] == local_arrivals(first)[0] - timedelta(minutes=45)
    assert Session.objects.filter(status=SessionStatus.SCHEDULED).count() == 12


def test_absence_and_closure_are_respected(draft, practitioner):
    Absence.objects.create(
        practitioner=practitioner,
        starts_at=date(2026, 1, 26).isoformat() + "T00:00Z",
        ends_at=date(2026, 1, 28).isoformat() + "T00:00Z",
    )
    sessions = services.confirm_course(course=draft(), actor=practitioner.user)
    assert local_arrivals(sessions)[1].date() == date(2026, 1, 28)


def test_no_slot_names_the_session_and_suggests_a_fix(draft, practitioner):
    Closure.objects.create(starts_on=date(2026, 1, 20), ends_on=date(2026, 3, 31), reason="Works")
    course = draft()
    with pytest.raises(services.PlanningFailed) as failed:
        services.propose_course(course)
    assert failed.value.error.number == 2
    assert (failed.value.error.window_start, failed.value.error.window_end) == (
        date(2026, 1, 20), date(2026, 2, 17),
    )  # fmt: skip
    assert failed.value.suggestions == [
        "Starting on or after Mon 30 Mar 2026 fits every session (the first on Wed 01 Apr)."
    ]


def test_no_slot_suggests_another_practitioner(draft, practitioner):
    colleague = PractitionerFactory(user__first_name="Maria", user__last_name="Rossi")
    seed_clinic_hours(colleague)
    Absence.objects.create(
        practitioner=practitioner, starts_at="2026-01-19T00:00Z", ends_at="2026-06-01T00:00Z"
    )
    with pytest.raises(services.PlanningFailed) as failed:
        services.propose_course(draft())
    assert failed.value.suggestions[0] == (
        "Maria Rossi can take the whole course, starting Tue 06 Jan 2026."
    )


def test_planning_query_count_does_not_grow_with_existing_sessions(draft, practitioner):
    course = draft()
    with CaptureQueriesContext(connection) as before:
        services.propose_course(course)
    for _ in range(3):
        services.confirm_course(
            course=draft(patient=cleared_patient(practitioner.user)),
            actor=practitioner.user,
        )
    assert Session.objects.count() == 18
    with CaptureQueriesContext(connection) as after:
        services.propose_course(course)
    assert len(after) == len(before)


@pytest.fixture
def booked(draft, practitioner):
    course = draft()
    services.confirm_course(course=course, actor=practitioner.user)
    return list(course.sessions.order_by("number"))


def test_reschedule_this_only_within_the_rules(booked, practitioner):
    third = booked[2]
    [moved] = rescheduling.reschedule_session(
        session=third, new_day=date(2026, 2, 18), new_time=time(14), scope="this",
        reason="Patient asked", actor=practitioner.user,
    )  # fmt: skip
    assert moved.arrives_at.astimezone(LONDON) == datetime_local(2026, 2, 18, 14)
    assert moved.schedule_version == 2
    others = Session.objects.exclude(pk=third.pk).order_by("number")
    assert [s.arrives_at for s in others] == [s.arrives_at for s in booked if s.pk != third.pk]
    change = SessionChange.objects.get(session=third, kind=ChangeKind.RESCHEDULED)
    assert change.from_arrives_at == third.arrives_at
    assert change.reason == "Patient asked"


def datetime_local(y, m, d, h, minute=0):
    from datetime import datetime

    return datetime(y, m, d, h, minute, tzinfo=LONDON)


def test_reschedule_this_only_refused_when_a_gap_breaks(booked, practitioner):
    third = booked[2]  # 17 Feb; the fourth is on 10 Mar
    with pytest.raises(services.CourseError) as error:
        rescheduling.reschedule_session(
            session=third, new_day=date(2026, 3, 3), new_time=time(10), scope="this",
            reason="", actor=practitioner.user,
        )  # fmt: skip
    assert error.value.codes == ["gap_below_minimum"]
    assert "Move this and the following sessions instead" in str(error.value)
    assert Session.objects.get(pk=third.pk).arrives_at == third.arrives_at


def test_reschedule_breaking_both_gaps_names_each_gap_once(booked, practitioner):
    first, second, third = booked[:3]  # 6 Jan, 27 Jan, 17 Feb
    shift = timedelta(days=-16)  # the third comes forward to 1 Feb
    Session.objects.filter(pk=third.pk).update(
        arrives_at=third.arrives_at + shift, procedure_starts_at=third.procedure_starts_at + shift,
        procedure_ends_at=third.procedure_ends_at + shift,
    )  # fmt: skip
    with pytest.raises(services.CourseError) as error:
        rescheduling.reschedule_session(
            session=second, new_day=date(2026, 1, 19), new_time=time(10), scope="this",
            reason="", actor=practitioner.user,
        )  # fmt: skip
    messages = [v.message for v in error.value.violations]
    assert len(messages) == len(set(messages)) == 2
    assert messages[0].startswith("After session 1: A gap of 1.9 weeks is shorter")
    assert messages[0].endswith("Pick another day, or give a reason to override.")
    assert messages[1].startswith("Before session 3: A gap of 1.9 weeks is shorter")
    assert messages[1].endswith("Move this and the following sessions instead, or give a "
                                "reason to override.")  # fmt: skip


def test_reschedule_this_and_following_keeps_the_gaps(booked, practitioner):
    third = booked[2]
    moved = rescheduling.reschedule_session(
        session=third, new_day=date(2026, 3, 3), new_time=time(10), scope="following",
        reason="Holiday", actor=practitioner.user,
    )  # fmt: skip
    assert [s.number for s in moved] == [3, 4, 5, 6]
    days = [a.date() for a in local_arrivals(Session.objects.order_by("number"))]
    assert days == [
        date(2026, 1, 6), date(2026, 1, 27), date(2026, 3, 3), date(2026, 3, 24),
        date(2026, 4, 14), date(2026, 5, 5),
    ]  # fmt: skip
    assert SessionChange.objects.filter(kind=ChangeKind.RESCHEDULED).count() == 4


def test_reschedule_this_and_following_to_another_weekday_keeps_the_gaps(booked, practitioner):
    rescheduling.reschedule_session(
        session=booked[2], new_day=date(2026, 3, 4), new_time=time(10), scope="following",
        reason="Tuesdays no longer suit", actor=practitioner.user,
    )  # fmt: skip
    days = [a.date() for a in local_arrivals(Session.objects.order_by("number"))]
    assert days[2:] == [date(2026, 3, 4), date(2026, 3, 25), date(2026, 4, 15), date(2026, 5, 6)]


def test_reschedule_into_a_busy_slot_is_refused(booked, practitioner, draft):
    other = services.confirm_course(
        course=draft(patient=cleared_patient(practitioner.user)), actor=practitioner.user
    )
    taken = other[2].arrives_at.astimezone(LONDON)
    with pytest.raises(services.CourseError) as error:
        rescheduling.reschedule_session(
            session=booked[2], new_day=taken.date(), new_time=taken.time(), scope="this",
            reason="", actor=practitioner.user,
        )  # fmt: skip
    assert error.value.codes == ["slot_unavailable"]


def test_reschedule_to_a_closed_day_says_so(booked, practitioner):
    Closure.objects.create(starts_on=date(2026, 2, 18), ends_on=date(2026, 2, 18), reason="Audit")
    with pytest.raises(services.CourseError) as error:
        rescheduling.reschedule_session(
            session=booked[2], new_day=date(2026, 2, 18), new_time=time(10), scope="this",
            reason="", actor=practitioner.user,
        )  # fmt: skip
    assert "the clinic is closed (Audit)" in str(error.value)


def test_cancel_then_book_a_replacement(booked, practitioner):
    rescheduling.cancel_session(session=booked[1], reason="Patient unwell", actor=practitioner.user)
    course = booked[0].course
    with pytest.raises(services.CourseError):
        rescheduling.cancel_session(
            session=booked[1], reason="Patient unwell", actor=practitioner.user
        )
    replacement = rescheduling.book_replacement(course=course, actor=practitioner.user)
    assert replacement.number == 7
    last = local_arrivals([booked[-1]])[0].date()
    assert replacement.arrives_at.astimezone(LONDON).date() == last + timedelta(weeks=3)
    with pytest.raises(services.CourseError) as error:
        rescheduling.book_replacement(course=course, actor=practitioner.user)
    assert error.value.codes == ["course_full"]


def test_no_show_only_after_the_arrival_time(booked, practitioner, time_machine):
    with pytest.raises(services.CourseError) as error:
        rescheduling.mark_no_show(session=booked[0], actor=practitioner.user)
    assert error.value.codes == ["not_yet"]
    time_machine.move_to(booked[0].arrives_at + timedelta(minutes=30), tick=False)
    session = rescheduling.mark_no_show(session=booked[0], actor=practitioner.user)
    assert session.status == SessionStatus.NO_SHOW


def test_cancel_rest_of_course(booked, practitioner):
    course = booked[0].course
    with pytest.raises(services.CourseError):
        rescheduling.cancel_course(course=course, reason=" ", actor=practitioner.user)
    rescheduling.cancel_course(course=course, reason="Moving away", actor=practitioner.user)
    course.refresh_from_db()
    assert course.status == CourseStatus.CANCELLED
    assert set(course.sessions.values_list("status", flat=True)) == {SessionStatus.CANCELLED}


def test_scalp_area_region_is_screened_separately(draft, patient, practitioner):
    patient_services.record_screening(
        patient=patient, answers=Answers(eczema_psoriasis_regions=frozenset({"scalp"})),
        notes="", actor=practitioner.user,
    )  # fmt: skip
    patient.refresh_from_db()
    with pytest.raises(services.CourseError) as error:
        draft(
            patient=patient, area=TreatmentArea.objects.get(code="scalp"),
            indication=Indication.objects.get(code="hair-loss"),
        )  # fmt: skip
    assert error.value.codes == ["refuse_eczema_psoriasis"]
    assert draft(patient=patient).status == CourseStatus.DRAFT  # the face is not affected


@pytest.mark.parametrize(
    ("start_on", "code"),
    [
        (date(2025, 11, 2), "date_in_past"),  # two months back
        (date(2026, 1, 1), "date_in_past"),  # yesterday
        (date(1, 1, 1), "date_in_past"),
        (date(9999, 12, 31), "date_out_of_range"),
        (date(2029, 1, 1), "date_out_of_range"),  # past the two-year window
    ],
)
def test_planning_refuses_a_start_in_the_past_or_outside_the_date_window(draft, start_on, code):
    with pytest.raises(services.CourseError) as error:
        draft(start_on=start_on)
    assert error.value.codes == [code]
    assert not Course.objects.exists()


def test_planning_never_proposes_a_time_before_now(draft, time_machine):
    time_machine.move_to("2026-01-06 12:00Z", tick=False)  # Tuesday noon; 10:00 has passed
    proposals = services.propose_course(draft(start_on=date(2026, 1, 6)))
    first = proposals[0].slot.arrives_at
    assert first.astimezone(LONDON) == datetime_local(2026, 1, 6, 12)
    assert all(p.slot.arrives_at >= first for p in proposals)


def test_a_draft_whose_start_has_passed_plans_from_now(draft, practitioner, time_machine, settings):
    settings.CLINIC_DRAFT_EXPIRY_HOURS = 30 * 24
    course = draft()  # start Mon 5 Jan, first Tue 6 Jan
    time_machine.move_to("2026-01-14 12:00Z", tick=False)
    sessions = services.confirm_course(course=course, actor=practitioner.user)
    assert local_arrivals(sessions)[0] == datetime_local(2026, 1, 20, 10)


@pytest.mark.parametrize(
    ("new_day", "new_time", "code"),
    [
        (date(2026, 1, 2), time(10), "time_in_past"),  # earlier today (now is 12:00)
        (date(2025, 12, 30), time(10), "date_in_past"),
        (date(9999, 12, 31), time(10), "date_out_of_range"),
        (date(1, 1, 1), time(10), "date_in_past"),
    ],
)
def test_reschedule_refuses_a_time_before_now_or_outside_the_window(
    booked, practitioner, new_day, new_time, code
):
    with pytest.raises(services.CourseError) as error:
        rescheduling.reschedule_session(
            session=booked[0], new_day=new_day, new_time=new_time, scope="following",
            reason="", actor=practitioner.user,
        )  # fmt: skip
    assert error.value.codes == [code]
    assert Session.objects.get(pk=booked[0].pk).arrives_at == booked[0].arrives_at


def test_replacement_refuses_a_time_before_now(booked, practitioner):
    rescheduling.cancel_session(session=booked[1], reason="Patient unwell", actor=practitioner.user)
    with pytest.raises(services.CourseError) as error:
        rescheduling.book_replacement(
            course=booked[0].course, actor=practitioner.user,
            at=datetime_local(2026, 1, 2, 9),
        )  # fmt: skip
    assert error.value.codes == ["time_in_past"]
    assert not Session.objects.filter(number=7).exists()


@pytest.fixture
def scalp_course(book, patient):
    """A second running course for the same patient, on another region (the scalp)."""
    return book(area=TreatmentArea.objects.get(code="scalp"), indication=Indication.objects.get(
        code="hair-loss"), preferred_time=time(11))  # fmt: skip


def test_a_patients_sessions_never_overlap_across_courses(booked, scalp_course):
    face = [(s.arrives_at, s.procedure_ends_at) for s in booked]
    for session in scalp_course.sessions.all():
        assert all(session.procedure_ends_at <= a or e <= session.arrives_at for a, e in face)


@pytest.mark.parametrize("minute", [0, 15, 30])
def test_reschedule_into_the_patients_other_session_is_refused(
    booked, scalp_course, practitioner, minute
):
    other = booked[1].arrives_at.astimezone(LONDON)  # the face course's session 2, 10:00-10:45
    session = scalp_course.sessions.get(number=2)
    with pytest.raises(services.CourseError) as error:
        rescheduling.reschedule_session(
            session=session, new_day=other.date(), new_time=time(10, minute), scope="this",
            reason="", actor=practitioner.user,
        )  # fmt: skip
    assert error.value.codes == ["slot_unavailable"]


@pytest.mark.parametrize(
    "answers",
    [
        Answers(herpes_active=True),
        Answers(acne_regions=frozenset({"face"})),
        Answers(wart_regions=frozenset({"face"})),
    ],
)
def test_a_deferral_keeps_planning_open_and_starts_the_course_after_it(
    draft, patient, practitioner, answers
):
    patient_services.record_screening(
        patient=patient, answers=answers, notes="", actor=practitioner.user
    )  # screened Fri 2 Jan: expected to resolve by Fri 16 Jan (14 days, the default)
    patient.refresh_from_db()
    course = draft(patient=patient)
    deferral = services.course_deferral(course)
    assert deferral.not_before == date(2026, 1, 16)
    assert [p.code for p in deferral.problems][0].startswith("defer_")
    sessions = services.confirm_course(course=course, actor=practitioner.user)
    assert local_arrivals(sessions)[0] == datetime_local(2026, 1, 20, 10)  # first Tue after


def test_deferral_days_are_the_clinics_to_edit(draft, patient, practitioner):
    from tests.factories import ClinicFactory

    ClinicFactory(deferral_days=0)
    patient_services.record_screening(
        patient=patient, answers=Answers(herpes_active=True), notes="", actor=practitioner.user
    )
    patient.refresh_from_db()
    proposals = services.propose_course(draft(patient=patient))
    assert proposals[0].day == date(2026, 1, 6)


def body_course(draft, patient):
    return draft(
        patient=patient, area=TreatmentArea.objects.get(code="body"),
        indication=Indication.objects.get(code="stretch-marks"), needle_mm=Decimal("2.0"),
        target_gap_weeks=5,
    )  # fmt: skip


@pytest.mark.parametrize(
    "answers",
    [Answers(acne_regions=frozenset({"face"})), Answers(wart_regions=frozenset({"face"}))],
)
def test_a_deferral_in_one_area_does_not_touch_a_course_on_the_body(
    draft, patient, practitioner, answers
):
    patient_services.record_screening(
        patient=patient, answers=answers, notes="", actor=practitioner.user
    )
    patient.refresh_from_db()
    body = body_course(draft, patient)
    assert services.course_deferral(body) is None
    assert services.propose_course(body)[0].day == date(2026, 1, 6)


def test_herpes_defers_a_course_on_the_body_but_planning_stays_open(draft, patient, practitioner):
    patient_services.record_screening(
        patient=patient, answers=Answers(herpes_active=True), notes="", actor=practitioner.user
    )
    patient.refresh_from_db()
    body = body_course(draft, patient)
    deferral = services.course_deferral(body)
    assert [p.code for p in deferral.problems] == ["defer_herpes_active"]
    assert deferral.not_before == date(2026, 1, 16)
    sessions = services.confirm_course(course=body, actor=practitioner.user)
    assert local_arrivals(sessions)[0] >= datetime_local(2026, 1, 16, 0)


@pytest.mark.parametrize(
    ("indication", "area", "needle", "gap"),
    [
        ("hair-loss", "hands", "0.5", 3),  # thinning hair (scalp) on the hands
        ("stretch-marks", "periorbital", "0.5", 3),  # stretch marks on the eyelids
        ("wrinkles", "scalp", "0.5", 3),
    ],
)
def test_refuses_an_indication_on_an_area_it_does_not_fit(draft, indication, area, needle, gap):
    with pytest.raises(services.CourseError) as error:
        draft(
            indication=Indication.objects.get(code=indication),
            area=TreatmentArea.objects.get(code=area), needle_mm=Decimal(needle),
            target_gap_weeks=gap,
        )  # fmt: skip
    assert error.value.codes == ["indication_area"]
    assert "is not treated on" in str(error.value)
    assert not Course.objects.exists()


def test_the_catalogue_seeds_the_areas_each_indication_fits(catalogue):
    def areas(code):
        return sorted(Indication.objects.get(code=code).areas.values_list("code", flat=True))

    assert areas("hair-loss") == ["scalp"]
    assert areas("stretch-marks") == ["body"]
    assert "periorbital" in areas("wrinkles")


def test_an_indication_without_listed_areas_fits_any_area(draft):
    wrinkles = Indication.objects.get(code="wrinkles")
    wrinkles.areas.clear()
    course = draft(indication=wrinkles, area=TreatmentArea.objects.get(code="hands"))
    assert course.status == CourseStatus.DRAFT


def test_expired_drafts_are_deleted_and_everything_else_kept(draft, book, time_machine, settings):
    from courses.tasks import delete_expired_drafts_task

    settings.CLINIC_DRAFT_EXPIRY_HOURS = 24
    stale = draft()  # previewed Fri 2 Jan 12:00
    booked = book(start_on=date(2026, 1, 7))
    time_machine.move_to("2026-01-03 11:00Z", tick=False)
    fresh = draft(start_on=date(2026, 1, 7))
    assert (
        services.delete_expired_drafts(actor=system_actor(SystemActor.MAINTENANCE)) == 0
    )  # 23 hours: not yet
    time_machine.move_to("2026-01-03 12:00:01Z", tick=False)
    assert delete_expired_drafts_task() == 1
    assert set(Course.objects.values_list("pk", flat=True)) == {booked.pk, fresh.pk}
    assert stale.pk not in Course.objects.values_list("pk", flat=True)


def test_an_expired_draft_is_not_booked(draft, practitioner, time_machine, settings):
    settings.CLINIC_DRAFT_EXPIRY_HOURS = 24
    course = draft()
    time_machine.move_to("2026-01-03 12:00:01Z", tick=False)
    with pytest.raises(services.CourseError) as error:
        services.confirm_course(course=course, actor=practitioner.user)
    assert error.value.codes == ["draft_expired"]
    assert not Session.objects.exists()


def test_the_draft_cleanup_runs_on_the_beat_schedule(settings):
    from clinic.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "courses.tasks.delete_expired_drafts_task" in tasks
    app.loader.import_default_modules()
    assert "courses.tasks.delete_expired_drafts_task" in app.tasks


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_a_session_needs_a_reason_on_every_path(booked, practitioner, reason):
    with pytest.raises(services.CourseError) as refused:
        rescheduling.cancel_session(session=booked[1], reason=reason, actor=practitioner.user)
    assert refused.value.codes == ["reason_required"]
    booked[1].refresh_from_db()
    assert booked[1].status == "scheduled"


def test_a_session_added_beyond_the_plan_grows_the_course_up_to_the_maximum(draft, practitioner):
    course = draft(sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    first = course.sessions.get(number=1)
    rescheduling.cancel_session(session=first, reason="Ill", actor=practitioner.user)
    rescheduling.book_replacement(course=course, actor=practitioner.user)
    course.refresh_from_db()
    assert course.sessions_planned == 4  # a replacement keeps the plan's count
    for expected in (5, 6):
        rescheduling.book_replacement(course=course, actor=practitioner.user)
        course.refresh_from_db()
        assert course.sessions_planned == expected
    with pytest.raises(services.CourseError) as refused:
        rescheduling.book_replacement(course=course, actor=practitioner.user)
    assert refused.value.codes == ["course_full"]
    assert course.sessions.filter(status__in=HOLDING_STATUSES).count() == 6


def test_confirm_refuses_a_course_that_no_longer_fits_and_leaves_the_fixes_to_the_preview(
    draft, practitioner
):
    course = draft()
    previewed = [p.slot.arrives_at for p in services.propose_course(course)]
    Closure.objects.create(starts_on=date(2026, 1, 20), ends_on=date(2026, 3, 31), reason="Works")
    with pytest.raises(services.PlanningFailed) as failed:
        services.confirm_course(course=course, actor=practitioner.user, expected_arrivals=previewed)
    assert failed.value.error.number == 2
    assert failed.value.suggestions == []  # found by the preview, outside the locks
    assert not Session.objects.exists()
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT


def test_discard_draft_deletes_a_draft_and_refuses_a_booked_course(draft, book, practitioner):
    booked, course = book(start_on=date(2026, 1, 7)), draft()
    services.discard_draft(course=course, actor=practitioner.user)
    assert not Course.objects.filter(pk=course.pk).exists()
    with pytest.raises(services.CourseError) as error:
        services.discard_draft(course=booked, actor=practitioner.user)
    assert error.value.codes == ["not_draft"]
    assert Course.objects.get(pk=booked.pk).sessions.count() == 6


def test_a_confirmed_session_that_moves_is_scheduled_again(book, practitioner):
    session = book().sessions.get(number=2)
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.CONFIRMED)
    day = session.arrives_at.astimezone(LONDON).date() + timedelta(days=1)
    [moved] = rescheduling.reschedule_session(
        session=session, new_day=day, new_time=time(11), scope="this", reason="",
        actor=practitioner.user,
    )  # fmt: skip
    moved.refresh_from_db()
    assert moved.status == SessionStatus.SCHEDULED
    assert moved.arrives_at.astimezone(LONDON).date() == day


def test_the_patients_own_cancellation_is_recorded_as_the_patients(book):
    session = book().sessions.get(number=2)
    rescheduling.cancel_session(
        session=session, reason="by link", actor=system_actor(SystemActor.PATIENT_LINK)
    )
    change = SessionChange.objects.get(session=session, kind=ChangeKind.CANCELLED)
    assert change.changed_by == system_actor(SystemActor.PATIENT_LINK)  # every write names who
    assert change.by_patient  # the history says "the patient"
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
