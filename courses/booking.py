"""Booking: what planning a course and changing a booked one share.

The planner's inputs read from the database (the clinic's rules, a course's
request, its calendar), the locks, the clash check for one exact time, and the
writes of sessions with their history. ``courses.services`` (plan and confirm a
course) and ``courses.rescheduling`` (change a booked one) both build on these.

Every booking write locks the rows it depends on (active rooms, then the
practitioner, then the patient, always in that order, ``lock_booking_rows``),
re-checks the calendar inside the transaction, and only then writes. On
PostgreSQL an exclusion constraint backs the check (``write_sessions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.actors import Actor
from clinic.models import Clinic, Practitioner, Room
from courses import overview, planning, rules, session_flow
from courses.availability import DatabaseCalendar
from courses.models import ChangeKind, Course, CourseStatus, MinimumGap, Session, SessionChange
from patients.models import Patient


class CourseError(Exception):
    """A course write was refused. ``violations`` carry stable codes and sentences."""

    def __init__(self, violations: list[rules.RuleViolation]) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations = violations

    @classmethod
    def single(cls, code: str, message: str) -> CourseError:
        return cls([rules.RuleViolation(code, message)])

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.violations]


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def treatment_rules(clinic: Clinic | None = None) -> rules.TreatmentRules:
    """The clinic's editable numbers as the pure rules module takes them."""
    clinic = clinic or Clinic.current()
    gaps = tuple(MinimumGap.objects.order_by("up_to_mm").values_list("up_to_mm", "min_weeks"))
    return rules.TreatmentRules(
        min_sessions=clinic.min_sessions,
        max_sessions=clinic.max_sessions,
        max_gap_weeks=clinic.max_gap_weeks,
        cream_from_mm=clinic.cream_from_mm,
        cream_minutes=clinic.cream_minutes,
        slot_step_minutes=clinic.slot_step_minutes,
        minimum_gaps=gaps or rules.TreatmentRules().minimum_gaps,
    )


def plan_request(
    course: Course,
    rule_set: rules.TreatmentRules,
    *,
    start_on: date | None = None,
    now: datetime | None = None,
) -> planning.PlanRequest:
    """The planner's input for a course; gaps overridden by a reason widen the window.

    Nothing is proposed before now: a start date that has passed since the
    draft was saved plans from today. A start outside the sane date window
    (a draft saved before that rule) is refused rather than planned.
    """
    start_on = start_on or course.start_on
    now = now or timezone.now()
    today = timezone.localdate(now)
    if course.status == CourseStatus.DRAFT and (
        found := rules.check_typed_date(start_on, today=today, allow_past=True)
    ):
        raise CourseError(found)
    low, high = rules.gap_window_days(rule_set, course.needle_mm)
    target = course.target_gap_weeks * 7
    if course.gap_override_reason:
        low, high = min(low, target), max(high, target)
    return planning.PlanRequest(
        start_on=max(start_on, today),
        sessions=course.sessions_planned,
        target_gap_days=target,
        min_gap_days=low,
        max_gap_days=high,
        preferred_weekday=course.preferred_weekday,
        preferred_time=course.preferred_time,
        cream_minutes=rules.cream_minutes(rule_set, course.needle_mm),
        procedure_minutes=course.area.procedure_minutes,
        step_minutes=rule_set.slot_step_minutes,
        not_before=now,
    )


def calendar_for(
    course: Course,
    request: planning.PlanRequest,
    *,
    practitioner_id: int | None = None,
    first_day: date | None = None,
    ignore_session_ids: tuple[int, ...] = (),
) -> DatabaseCalendar:
    """The busy times a course's sessions must not clash with (practitioner, rooms, patient)."""
    first_day = first_day or request.start_on
    horizon = request.first_search_days + request.sessions * request.max_gap_days
    return DatabaseCalendar(
        practitioner_id=practitioner_id or course.practitioner_id,
        patient_id=course.patient_id,
        tz=clinic_tz(),
        first_day=first_day,
        last_day=first_day + timedelta(days=horizon),
        ignore_session_ids=ignore_session_ids,
    )


def lock_booking_rows(practitioner_ids: list[int], patient_id: int) -> None:
    """Serialise bookings that could collide: rooms, practitioners, patient, in that order.

    Called first inside the transaction of every booking write.
    """
    list(Room.objects.select_for_update().filter(is_active=True).order_by("pk").values("pk"))
    list(
        Practitioner.objects.select_for_update()
        .filter(pk__in=sorted(set(practitioner_ids)))
        .order_by("pk")
        .values("pk")
    )
    list(Patient.objects.select_for_update().filter(pk=patient_id).values("pk"))


def slot_at(calendar: DatabaseCalendar, request: planning.PlanRequest, day: date) -> planning.Slot:
    """The slot at exactly the request's time on ``day``; refused when anything clashes."""
    if planning.local_datetime(day, request.preferred_time, calendar.tz) is None:
        raise CourseError.single(
            "time_skipped",
            gettext("That time does not exist on that day (the clocks go forward)."),
        )
    avail = calendar.day(day)
    slot = planning.fit_slot(avail, request, calendar.tz, exact=True)
    if slot is None:
        why = planning.explain_miss(avail)
        if why == gettext("no free slot that day"):
            why = gettext(
                "the practitioner, every room or the patient is busy then, or it is outside hours"
            )
        raise CourseError.single(
            "slot_unavailable", gettext("That time is not available: %(why)s.") % {"why": why}
        )
    return slot


def session_from(course: Course, proposal: planning.Proposal) -> Session:
    """An unsaved session of ``course`` in the proposed slot."""
    return Session(
        course=course,
        number=proposal.number,
        practitioner_id=course.practitioner_id,
        room_id=proposal.slot.room_id,
        patient_id=course.patient_id,
        arrives_at=proposal.slot.arrives_at,
        procedure_starts_at=proposal.slot.procedure_starts_at,
        procedure_ends_at=proposal.slot.procedure_ends_at,
    )


def _save_sessions(objects: list[Session]) -> None:
    """Save sessions; a PostgreSQL exclusion-constraint hit means someone took the slot."""
    try:
        with transaction.atomic():  # a savepoint: the constraint error must not end the outer
            if all(session.pk is None for session in objects):
                Session.objects.bulk_create(objects)
            else:
                for session in objects:
                    session.save()
            # the overview's summary of each course follows its sessions in the same write
            overview.refresh_course_summaries({session.course_id for session in objects})
    except IntegrityError as error:
        raise CourseError.single(
            "slot_taken", gettext("Another booking took one of these slots. Plan again.")
        ) from error


@transaction.atomic
def book_sessions(
    *, sessions: list[Session], kind: ChangeKind, actor: Actor, now: datetime | None = None
) -> list[Session]:
    """Insert new sessions (a course's plan, or one added) and their history entries.

    Call it after ``lock_booking_rows`` and the clash checks, in the same transaction.
    """
    _save_sessions(sessions)
    SessionChange.objects.bulk_create(
        SessionChange(
            session=s, kind=kind, to_arrives_at=s.arrives_at, changed_by=actor,
            changed_at=now or timezone.now(),
        )
        for s in sessions
    )  # fmt: skip
    return sessions


@dataclass(frozen=True)
class Move:
    session: Session
    slot: planning.Slot
    practitioner_id: int | None = None  # another practitioner takes it (patient self-service)


@transaction.atomic
def move_sessions(*, moves: list[Move], reason: str, actor: Actor) -> list[Session]:
    """Put booked sessions in new slots, each with a history entry from the old time.

    A moved session is scheduled again (``session_flow.reopen_after_move``): a
    confirmation was for the old time. Old patient links stop working
    (``schedule_version``). Call it after the locks and clash checks.
    """
    now = timezone.now()
    changes = []
    for move in moves:
        session, slot = move.session, move.slot
        changes.append(
            SessionChange(
                session=session, kind=ChangeKind.RESCHEDULED, from_arrives_at=session.arrives_at,
                to_arrives_at=slot.arrives_at, changed_by=actor, changed_at=now, reason=reason,
            )
        )  # fmt: skip
        session.arrives_at = slot.arrives_at
        session.procedure_starts_at = slot.procedure_starts_at
        session.procedure_ends_at = slot.procedure_ends_at
        session.room_id = slot.room_id
        if move.practitioner_id is not None:
            session.practitioner_id = move.practitioner_id
        session_flow.reopen_after_move(session)
        session.schedule_version += 1
    _save_sessions([m.session for m in moves])
    SessionChange.objects.bulk_create(changes)
    return [m.session for m in moves]
