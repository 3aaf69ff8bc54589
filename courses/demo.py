"""Demo rooms, hours and courses (loaded by ``planner.demo``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import F
from django.utils import timezone

from clinic.actors import Actor
from clinic.models import (
    Absence,
    Clinic,
    Closure,
    Device,
    DeviceType,
    DisinfectionMoment,
    Lot,
    OpeningHours,
    Practitioner,
    Product,
    Room,
    WorkingHours,
)
from courses import outcome_services, rescheduling, services, session_day
from courses.defaults import seed_catalogue
from courses.models import Course, EndPoint, Indication, Session, TreatmentArea
from patients import services as patient_services
from patients.models import Patient
from patients.screening import Answers

OPENING = [(day, time(9), time(19)) for day in range(5)] + [(5, time(10), time(16))]
WORKING = {
    "anna": [(day, time(9), time(17)) for day in range(5)],
    "maria": [(day, time(10), time(18)) for day in range(1, 5)] + [(5, time(10), time(16))],
}


def load_demo_calendar() -> None:
    """Rooms, opening hours, working hours, a closure and an absence, once."""
    seed_catalogue(apps)
    for name in ("Room 1", "Room 2", "Room 3"):
        Room.objects.get_or_create(name=name)
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in OPENING
        )
    for username, hours in WORKING.items():
        practitioner = Practitioner.objects.get(user__username=username)
        if not practitioner.working_hours.exists():
            WorkingHours.objects.bulk_create(
                WorkingHours(practitioner=practitioner, weekday=d, starts=s, ends=e)
                for d, s, e in hours
            )
    today = timezone.localdate()
    # A Monday four weeks ahead, whatever the weekday today (a fixed number of days
    # from today fell on the demo's Friday sessions when loaded on a Wednesday).
    closed = today - timedelta(days=today.weekday()) + timedelta(weeks=4)
    Closure.objects.get_or_create(
        reason="Clinic training day", defaults={"starts_on": closed, "ends_on": closed}
    )
    maria = Practitioner.objects.get(user__username="maria")
    if not maria.absences.exists():
        starts = timezone.now() + timedelta(days=40)
        Absence.objects.create(
            practitioner=maria, starts_at=starts, ends_at=starts + timedelta(days=7), reason="Leave"
        )


def load_demo_courses() -> None:
    """A booked course with cream, a course with a cancellation and a replacement, a draft."""
    if Course.objects.exists():
        return
    anna = Practitioner.objects.get(user__username="anna")
    maria = Practitioner.objects.get(user__username="maria")
    tomorrow = timezone.localdate() + timedelta(days=1)
    emma = _book(
        patient="emma.clarke@example.com", indication="scars", area="face-scars",
        needle="1.5", sessions=4, gap=5, practitioner=anna, weekday=1, at=time(10), start=tomorrow,
    )  # fmt: skip
    grace = _book(
        patient="grace.evans@example.com", indication="texture", area="face", needle="0.5",
        sessions=4, gap=3, practitioner=maria, weekday=3, at=time(15), start=tomorrow,
    )  # fmt: skip
    _book(  # in Russian: her messages and course page (patients.demo.DEMO_LANGUAGES)
        patient="olga.smirnova@example.com", indication="wrinkles", area="face", needle="1.0",
        sessions=4, gap=4, practitioner=maria, weekday=2, at=time(12), start=tomorrow,
    )  # fmt: skip
    second = grace.sessions.order_by("number")[1]
    rescheduling.cancel_session(session=second, reason="Exam week", actor=maria.user)
    rescheduling.book_replacement(course=grace, actor=maria.user)
    first = emma.sessions.order_by("number")[2]
    day = timezone.localtime(first.arrives_at)
    rescheduling.reschedule_session(
        session=first, new_day=day.date() + timedelta(days=1), new_time=time(11), scope="following",
        reason="Patient away that week", actor=anna.user,
    )  # fmt: skip
    services.create_draft_course(
        patient=Patient.objects.get(email="james.wilson@example.com"),
        indication=Indication.objects.get(code="wrinkles"),
        area=TreatmentArea.objects.get(code="face"), needle_mm=Decimal("0.5"),
        sessions_planned=6, target_gap_weeks=3, practitioner=anna, preferred_weekday=4,
        preferred_time=time(9, 30), start_on=tomorrow, actor=anna.user,
    ) if _screened_recently("james.wilson@example.com") else None  # fmt: skip


def _screened_recently(email: str) -> bool:
    patient = Patient.objects.get(email=email)
    return not services.planning_problems(patient, region="face")


def _book(
    *, patient: str, indication: str, area: str, needle: str, sessions: int, gap: int,
    practitioner: Practitioner, weekday: int, at: time, start: date,
) -> Course:  # fmt: skip
    booked_at = datetime.combine(start - timedelta(days=7), time(9), tzinfo=services.clinic_tz())
    course = services.create_draft_course(
        patient=Patient.objects.get(email=patient),
        indication=Indication.objects.get(code=indication),
        area=TreatmentArea.objects.get(code=area), needle_mm=Decimal(needle),
        sessions_planned=sessions, target_gap_weeks=gap, practitioner=practitioner,
        preferred_weekday=weekday, preferred_time=at, start_on=start,
        actor=practitioner.user, now=booked_at,
    )  # fmt: skip
    services.confirm_course(course=course, actor=practitioner.user, now=booked_at)
    return course


DEVICE_TYPES = [
    # name, kind, needle mm, pen range, needles, drum width mm
    ("Facial roller 192 (gold standard) 0.5 mm", "roller", "0.5", None, 192, 20),
    ("Facial roller 192 (gold standard) 1.0 mm", "roller", "1.0", None, 192, 20),
    ("Facial roller 192 (gold standard) 1.5 mm", "roller", "1.5", None, 192, 20),
    ("Eye-area roller 180 (3 rows) 0.5 mm", "roller", "0.5", None, 180, 10),
    ("Body roller 1080 2.0 mm", "roller", "2.0", None, 1080, 60),
    ("Dermapen, sterile cartridges", "pen", None, ("0.25", "2.0"), 12, None),
]
PRODUCTS = [
    ("Fragmented hyaluronic acid serum", "serum", True),
    ("Soothing aloe gel", "gel", False),
    ("Scalp meso-cocktail (amino acids, peptides, vitamins)", "meso_cocktail", True),
]


def load_demo_devices() -> None:
    """The domain brief's standard devices, a worn one, and the clinic's products."""
    if DeviceType.objects.exists():
        return
    now = timezone.now()
    for index, (name, kind, needle, pen, count, width) in enumerate(DEVICE_TYPES):
        device_type = DeviceType.objects.create(
            name=name, kind=kind, needle_mm=Decimal(needle) if needle else None,
            pen_min_mm=pen and Decimal(pen[0]), pen_max_mm=pen and Decimal(pen[1]),
            needle_count=count, drum_width_mm=width, single_use_cartridges=kind == "pen",
        )  # fmt: skip
        Device.objects.create(
            device_type=device_type, label=f"D-{index + 1:02d}", last_disinfected_at=now
        )
    worn = DeviceType.objects.get(name__startswith="Facial roller 192 (gold standard) 0.5")
    Device.objects.create(
        device_type=worn, label="D-99", use_count=20, use_limit=20, last_disinfected_at=now
    )
    for name, texture, low in PRODUCTS:
        Product.objects.create(name=name, texture=texture, low_molecular_weight=low)
    load_demo_lots()


# Lots of the demo's products (issue #19): number, product, supplier, received and expiry
# (days from the day the demo is loaded). The history's sessions use HA-2026-01; HA-2025-09
# has expired and is not offered.
DEMO_LOTS = [
    ("HA-2026-01", "Fragmented hyaluronic acid", "Dermal Supplies Ltd", -150, 365),
    ("HA-2025-09", "Fragmented hyaluronic acid", "Dermal Supplies Ltd", -400, -20),
    ("ALOE-0426", "Soothing aloe gel", "Botanica Pharma", -60, 300),
    ("SCALP-11", "Scalp meso-cocktail", "Trichology Direct", -30, 200),
]


def load_demo_lots() -> None:
    today = timezone.localdate()
    for number, product, supplier, received, expires in DEMO_LOTS:
        Lot.objects.create(
            product=Product.objects.get(name__startswith=product), number=number,
            supplier=supplier, received_on=today + timedelta(days=received),
            expires_on=today + timedelta(days=expires),
        )  # fmt: skip


# Courses under way (and one done), so the calendar, overview and report show the
# planner at work from the first run: each began weeks before the day the demo is
# loaded, its past sessions were done step by step on their own day, and most
# have a session in the current week.
# email, practitioner, indication, area, needle, sessions, gap weeks, weekday, time,
# weeks before this week of the first session
DEMO_HISTORY = [
    ("hannah.moore@example.com", "anna", "texture", "face", "0.5", 4, 3, 0, time(9, 30), 12),
    ("daniel.kim@example.com", "anna", "texture", "face", "1.0", 5, 4, 2, time(11), 8),
    ("ella.brown@example.com", "anna", "hair-loss", "scalp", "0.5", 4, 3, 4, time(14), 3),
    ("chloe.martin@example.com", "maria", "hyperpigmentation", "face", "0.5", 6, 2, 3, time(12), 6),
    ("noah.davies@example.com", "maria", "stretch-marks", "body", "2.0", 4, 5, 1, time(15), 5),
    ("freya.wood@example.com", "maria", "hyperpigmentation", "face", "0.5", 4, 4, 5, time(11), 4),
]
NO_SHOW = ("chloe.martin@example.com", 2)  # (patient, session number): one missed visit
ZONES = {"face": ["forehead", "cheeks", "chin"], "scalp": ["crown", "temples"],
         "body": ["abdomen"]}  # fmt: skip


def load_demo_history() -> None:
    """Book the history courses from weeks ago and do their past sessions, once."""
    if Course.objects.filter(patient__email=DEMO_HISTORY[0][0]).exists():
        return
    now = timezone.now()
    monday = timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday())
    courses = []
    for email, who, indication, area, needle, sessions, gap, weekday, at, weeks in DEMO_HISTORY:
        courses.append(_book(
            patient=email, indication=indication, area=area, needle=needle, sessions=sessions,
            gap=gap, practitioner=Practitioner.objects.get(user__username=who), weekday=weekday,
            at=at, start=monday + timedelta(days=weekday, weeks=-weeks),
        ))  # fmt: skip
    past = Session.objects.filter(course__in=courses, procedure_ends_at__lt=now)
    for session in past.select_related("course__patient", "practitioner__user").order_by(
        "arrives_at"
    ):  # in time order: each device is disinfected after its previous use
        by = session.practitioner.user
        if (session.course.patient.email, session.number) == NO_SHOW:
            rescheduling.mark_no_show(
                session=session, actor=by, now=session.arrives_at + timedelta(minutes=30)
            )
        else:
            _do_session(session, by=by)
    for course in courses:
        _grade(course)
    for course in courses:  # re-confirmed since, so the latest screening is the newest
        patient_services.record_screening(
            patient=course.patient, answers=Answers(), notes="",
            actor=course.practitioner.user, now=now - timedelta(days=1),
        )  # fmt: skip


def _grade(course: Course) -> None:
    """A baseline and a grade per session done, a step better each time, with the
    patient's satisfaction growing, so the course page's outcome chart shows a course
    that is working (issue #19)."""
    spec = outcome_services.course_scale(course)
    by = course.practitioner.user
    done = course.sessions.filter(status__in=outcome_services.PERFORMED).order_by("arrives_at")
    outcome_services.record_grade(course=course, session=None, grade=spec.high, actor=by)
    for step, session in enumerate(done, start=1):
        grade = max(spec.low, spec.high - (step + 1) // 2)
        outcome_services.record_visit(
            course=course, session=session, grade=grade, satisfaction=min(10, 5 + step),
            actor=by,
        )  # fmt: skip


def _do_session(session: Session, *, by: Actor) -> None:
    """Walk a past session through the session-day steps, each at its time that day."""
    arrives, starts = session.arrives_at, session.procedure_starts_at
    course = session.course
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=by,
        now=arrives - timedelta(minutes=5),
    )  # fmt: skip
    step = session_day.check_in(session=session, actor=by, now=arrives)
    ready = arrives + timedelta(minutes=5)
    if session_day.needs_cream(session):
        step = session_day.put_cream_on(
            session=session, version=step.version, actor=by, now=arrives
        )
        ready = arrives + timedelta(minutes=Clinic.current().cream_minutes + 1)
        step = session_day.wash_cream_off(
            session=session, version=step.version, actor=by, now=ready
        )
    starts = max(starts, ready + timedelta(minutes=4))
    step = session_day.record_antiseptic_before(
        session=session, version=step.version, actor=by, now=starts - timedelta(minutes=3)
    )
    device = (
        Device.objects.filter(device_type__kind="roller", device_type__needle_mm=course.needle_mm)
        .exclude(use_count__gte=F("use_limit"))
        .order_by("label")
        .first()
    )
    assert device is not None  # the demo clinic has a usable roller for every demo needle
    session_day.record_disinfection(
        device=device, moment=DisinfectionMoment.BEFORE, actor=by, session=session,
        now=starts - timedelta(minutes=2),
    )  # fmt: skip
    step = session_day.choose_materials(
        session=session, version=step.version, device=device,
        lot=Lot.objects.get(number=DEMO_LOTS[0][0]), actor=by,
        product=Product.objects.get(name__startswith="Fragmented hyaluronic acid"),
        now=starts - timedelta(minutes=1),
    )  # fmt: skip
    step = session_day.start_procedure(session=session, version=step.version, actor=by, now=starts)
    for zone in ZONES[course.area.region]:
        step = session_day.record_passes(
            session=session, version=step.version, zone=zone, horizontal=7, vertical=7,
            diagonal=7, actor=by, now=starts + timedelta(minutes=10),
        )  # fmt: skip
    ends = max(session.procedure_ends_at, starts + timedelta(minutes=20))
    step = session_day.record_antiseptic_after(
        session=session, version=step.version, actor=by, now=ends - timedelta(minutes=2)
    )
    end_point = EndPoint.PINPOINT_BLEEDING if course.needle_mm >= 1 else EndPoint.ERYTHEMA
    session_day.finish(
        session=session, version=step.version, end_point=end_point, actor=by, now=ends
    )
    session_day.record_disinfection(
        device=device, moment=DisinfectionMoment.AFTER, actor=by, session=session,
        now=ends + timedelta(minutes=5),
    )  # fmt: skip
