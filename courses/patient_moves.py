"""The patient moves a session of their course themselves (issue #17).

What the course page offers (``patient_offers``) and the booking of one offer
(``reschedule_by_patient``) read the same course window, calendars and pure
rules (``courses.self_service``); the booking takes the staff's locks
(``lock_booking_rows``), exact-time check (``slot_at``), "this and following"
plan (``planning.plan_following``) and write (``move_sessions``), so a patient
can book nothing a staff move would refuse, and less: no override, no move
within the clinic's cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.actors import Actor
from clinic.models import Clinic, Practitioner
from clinic.permissions import require
from courses import planning, self_service
from courses.availability import DatabaseCalendar
from courses.booking import (
    CourseError,
    Move,
    calendar_for,
    clinic_tz,
    lock_booking_rows,
    plan_request,
    slot_at,
    treatment_rules,
)
from courses.models import HOLDING_STATUSES, Session
from courses.rescheduling import _apply_moves, check_bookable_time

PATIENT_MOVE_REASON = "Moved by the patient on their course page"


@dataclass(frozen=True)
class Search:
    """One session's self-service move, as the search and the booking both see it."""

    session: Session
    request: planning.PlanRequest  # the course's window; the session's own time of day
    siblings: list[Session]  # the course's sessions that hold a time, in order
    index: int  # the session's place among them
    practitioners: list[int]  # who may take it, the session's own practitioner first

    @property
    def days(self) -> list[date]:
        return [s.arrives_at.astimezone(clinic_tz()).date() for s in self.siblings]

    @property
    def moving_ids(self) -> tuple[int, ...]:
        return tuple(s.pk for s in self.siblings[self.index :])

    def calendars(self, first_day: date) -> dict[int, DatabaseCalendar]:
        course = self.session.course
        return {
            pk: calendar_for(
                course,
                self.request,
                practitioner_id=pk,
                first_day=first_day,
                ignore_session_ids=self.moving_ids,
            )  # fmt: skip
            for pk in self.practitioners
        }


def check_movable(session: Session, *, now: datetime, clinic: Clinic) -> None:
    """Refuse a session the patient may not move themselves: not open, or within the cut-off."""
    if not session.is_open or not session.course.is_editable:
        raise CourseError.single("not_open", _("This session can no longer be moved."))
    if self_service.within_cutoff(
        session.arrives_at, now=now, cutoff_hours=clinic.self_service_cutoff_hours
    ):
        raise CourseError.single(
            "cutoff",
            _(
                "Sessions can be moved here until %(hours)s hours before they start; "
                "please call the clinic."
            )
            % {"hours": clinic.self_service_cutoff_hours},
        )


def practitioners_for(session: Session, clinic: Clinic) -> list[int]:
    """The session's practitioner, then (where the clinic allows) everyone else who can take
    it. The planner keeps no skills: any active, bookable practitioner with working hours
    does every treatment."""
    home = session.practitioner_id
    if not clinic.self_service_any_practitioner:
        return [home]
    others = (
        Practitioner.objects.filter(
            is_bookable=True, user__is_active=True, working_hours__isnull=False
        )
        .exclude(pk=home)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    return [home, *others]


def search_for(session: Session, *, now: datetime, clinic: Clinic) -> Search:
    course = session.course
    base = plan_request(course, treatment_rules(clinic), now=now)
    request = replace(
        base,
        preferred_time=session.arrives_at.astimezone(clinic_tz()).time(),
        not_before=self_service.cutoff_moment(now, clinic.self_service_cutoff_hours),
    )
    siblings = list(course.sessions.filter(status__in=HOLDING_STATUSES).order_by("arrives_at"))
    return Search(session, request, siblings, siblings.index(session),
                  practitioners_for(session, clinic))  # fmt: skip


def patient_offers(
    session: Session, *, now: datetime | None = None, limit: int = self_service.MAX_OFFERS
) -> list[self_service.Offer]:
    """The times the patient may move ``session`` to (``CourseError`` if none may be)."""
    now, clinic = now or timezone.now(), Clinic.current()
    check_movable(session, now=now, clinic=clinic)
    search = search_for(session, now=now, clinic=clinic)
    first_day = timezone.localdate(search.request.not_before, clinic_tz())
    return self_service.search_offers(
        search.calendars(first_day), search.request, search.days, search.index,
        home=search.practitioners[0], current=session.arrives_at, limit=limit,
    )  # fmt: skip


def preview_move(
    session: Session,
    *,
    new_day: date,
    new_time: time,
    practitioner_id: int | None = None,
    now: datetime | None = None,
) -> list[Move]:
    """What a chosen time would move (the session, and the later ones when they must move
    too), checked as the booking will check it, without locks and without writing."""
    now, clinic = now or timezone.now(), Clinic.current()
    check_bookable_time(new_day, new_time)
    check_movable(session, now=now, clinic=clinic)
    search = search_for(session, now=now, clinic=clinic)
    who = practitioner_id or session.practitioner_id
    if who not in search.practitioners:
        raise CourseError.single("practitioner", _("That practitioner cannot take this session."))
    return _moves(search, new_day, new_time, who, now=now)


@transaction.atomic
def reschedule_by_patient(
    *,
    session: Session,
    new_day: date,
    new_time: time,
    version: int,
    actor: Actor,
    practitioner_id: int | None = None,
    expected_following: list[datetime] | None = None,
    now: datetime | None = None,
) -> list[Session]:
    """Move ``session`` (and, when the gap to the next needs it, the later ones) as the
    patient chose, after checking again, under the booking locks, everything the offer was
    made on. ``version`` is the session's schedule version the page showed;
    ``expected_following`` the later sessions' new arrivals it showed (a plan that
    changed since is refused, code "plan_changed", never booked silently)."""
    require(actor, "courses.reschedule_by_patient", session)
    now, clinic = now or timezone.now(), Clinic.current()
    check_bookable_time(new_day, new_time)
    who = practitioner_id or session.practitioner_id
    lock_booking_rows([session.practitioner_id, who], session.patient_id)
    session = Session.objects.select_related("course__area").get(pk=session.pk)
    if session.schedule_version != version:
        raise CourseError.single(
            "stale", _("This session was changed since the page was opened; see its time now.")
        )
    check_movable(session, now=now, clinic=clinic)
    search = search_for(session, now=now, clinic=clinic)
    if who not in search.practitioners:
        raise CourseError.single("practitioner", _("That practitioner cannot take this session."))
    moves = _moves(search, new_day, new_time, who, now=now)
    if expected_following is not None and [m.slot.arrives_at for m in moves[1:]] != list(
        expected_following
    ):
        raise CourseError.single(
            "plan_changed", _("The times of your later sessions changed meanwhile; choose again.")
        )
    return _apply_moves(
        moves, reason=PATIENT_MOVE_REASON, override_reason="", actor=actor, tell_patient=False
    )


def _moves(search: Search, new_day: date, new_time: time, who: int, *, now: datetime) -> list[Move]:
    request, days, index = search.request, search.days, search.index
    moment = planning.local_datetime(new_day, new_time, clinic_tz())
    if moment is not None and moment < (request.not_before or now):
        raise CourseError.single(
            "cutoff", _("That time is too soon to book here; pick a later one.")
        )
    window = self_service.move_window(days, index, request, timezone.localdate(
        request.not_before, clinic_tz()))  # fmt: skip
    if window is None or not window[0] <= new_day <= window[1]:
        raise CourseError.single(
            "gap", _("That day breaks the spacing of your course; pick one of the offered days.")
        )
    calendars = search.calendars(new_day)
    slot = slot_at(calendars[who], self_service.at_time(request, new_time), new_day)
    if slot.arrives_at == search.session.arrives_at:
        raise CourseError.single("unchanged", _("The session is already at that date and time."))
    moves = [Move(search.session, slot, who if who != search.session.practitioner_id else None)]
    after = search.siblings[index + 1 :]
    if self_service.keeps_next_gap(days, index, new_day, request.min_gap_days,
                                   request.max_gap_days) or not after:  # fmt: skip
        following: list[planning.Proposal] = []
    elif who != search.practitioners[0]:
        raise CourseError.single("practitioner", _("Another practitioner takes one session only."))
    elif any(not s.is_open for s in after):
        raise CourseError.single("later_not_open", _("A later session has already started."))
    else:
        following = _plan_following(calendars[who], request, days[index:], new_day, slot)
    moves += [Move(s, p.slot) for s, p in zip(after, following, strict=False)]
    new_days = [*days[:index], new_day, *(p.day for p in following),
                *days[index + 1 + len(following):]]  # fmt: skip
    if self_service.gap_faults(new_days, range(index, index + 1 + len(following)),
                               request.min_gap_days, request.max_gap_days):  # fmt: skip
        raise CourseError.single(
            "gap", _("That day breaks the spacing of your course; pick one of the offered days.")
        )
    return moves


def _plan_following(
    calendar: planning.Calendar,
    request: planning.PlanRequest,
    days: list[date],
    new_day: date,
    slot: planning.Slot,
) -> list[planning.Proposal]:
    try:
        return planning.plan_following(
            calendar, request, days, new_day, preferred_room=slot.room_id
        )
    except planning.NoSlotError as error:
        raise CourseError.single(
            "no_slot", _("Your later sessions find no free times after that day; pick another.")
        ) from error
