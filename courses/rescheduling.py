"""Writes that change a booked course: reschedule, cancel, no-show, replacement.

The locks, clash checks and session writes are ``courses.booking``'s, shared
with planning: lock the rows a booking depends on, re-check under the lock,
then write. Every change leaves a ``SessionChange`` history entry, and every
status change is a move of the state machine (``courses.session_flow``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.actors import Actor, is_patient_link
from clinic.permissions import require
from courses import events, overview, planning, rules, session_flow
from courses.availability import DatabaseCalendar
from courses.booking import (
    CourseError,
    Move,
    book_sessions,
    calendar_for,
    clinic_tz,
    lock_booking_rows,
    move_sessions,
    plan_request,
    session_from,
    slot_at,
    treatment_rules,
)
from courses.models import (
    HOLDING_STATUSES,
    ChangeKind,
    Course,
    CourseStatus,
    Session,
    SessionChange,
    SessionStatus,
)

Scope = Literal["this", "following"]


@transaction.atomic
def reschedule_session(
    *,
    session: Session,
    new_day: date,
    new_time: time,
    scope: Scope,
    reason: str,
    actor: Actor,
    override_reason: str = "",
    version: int | None = None,
) -> list[Session]:
    """Move one session ("this") or it and every later one ("following").

    "this" keeps the others where they are and is refused when a neighbouring
    gap would break the rules (unless overridden with a reason). "following"
    moves later sessions to keep their gaps, each placed again in the calendar.
    ``version`` is the session's ``schedule_version`` the screen showed: a
    session changed since (another tab, a colleague, the patient's link) is not
    moved over that change. A move to the time the session already has is refused.
    """
    require(actor, "courses.book", session)
    check_bookable_time(new_day, new_time)
    lock_booking_rows([session.practitioner_id], session.patient_id)
    session = Session.objects.select_related("course__area").get(pk=session.pk)
    if not session.is_open:
        raise CourseError.single(
            "not_open", gettext("Only scheduled or confirmed sessions can move.")
        )
    if version is not None and version != session.schedule_version:
        raise CourseError.single(
            "stale",
            gettext(
                "This session was changed since this page was opened; check its time now "
                "and move it again if needed."
            ),
        )
    course = session.course
    siblings = list(course.sessions.filter(status__in=HOLDING_STATUSES).order_by("arrives_at"))
    index = siblings.index(session)
    before, after = siblings[:index], siblings[index + 1 :]
    moving = [session, *after] if scope == "following" else [session]
    if scope == "following" and any(not s.is_open for s in after):
        raise CourseError.single("later_not_open", gettext("A later session has already started."))
    rule_set = treatment_rules()
    request = planning.PlanRequest(
        **{**plan_request(course, rule_set).__dict__, "preferred_time": new_time}
    )
    calendar = calendar_for(
        course, request, first_day=new_day, ignore_session_ids=tuple(s.pk for s in moving)
    )
    slot = slot_at(calendar, request, new_day)
    if slot.arrives_at == session.arrives_at:
        raise CourseError.single(
            "unchanged", gettext("The session is already at that date and time.")
        )
    neighbours = [before[-1] if before else None, None if scope == "following" else
                  (after[0] if after else None)]  # fmt: skip
    _check_neighbour_gaps(course, rule_set, new_day, neighbours, override_reason)
    moves = [Move(session, slot)]
    if scope == "following" and after:
        moves += _replan_following(calendar, request, course, session, after, new_day, slot)
    return _apply_moves(moves, reason=reason, override_reason=override_reason, actor=actor)


def check_bookable_time(day: date, at: time) -> None:
    """Refuse a day outside the sane date window, or a time before now."""
    now = timezone.now()
    found = rules.check_typed_date(day, today=timezone.localdate(now))
    moment = None if found else planning.local_datetime(day, at, clinic_tz())
    if moment is not None:
        found = rules.check_not_past(moment, now=now)
    if found:
        raise CourseError(found)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(clinic_tz()).date()


def _check_neighbour_gaps(
    course: Course,
    rule_set: rules.TreatmentRules,
    new_day: date,
    neighbours: list[Session | None],
    override_reason: str,
    hint: str | None = None,
) -> None:
    """Refuse a day that breaks the gap to the session before or after it.

    Without ``hint`` the advice fits the gap: moving the following sessions too
    mends the gap after, only another day mends the gap before.
    """
    previous, following = neighbours
    found = []  # (which gap, advice, violation): both gaps may break in the same words
    if previous is not None:
        gap = (new_day - _local_day(previous.arrives_at)).days
        advice = hint or gettext("Pick another day, or give a reason to override.")
        where = gettext("After session %(number)d") % {"number": previous.number}
        found += [(where, advice, v)
                  for v in rules.check_gap_days(rule_set, course.needle_mm, gap)]  # fmt: skip
    if following is not None:
        gap = (_local_day(following.arrives_at) - new_day).days
        advice = hint or gettext(
            "Move this and the following sessions instead, or give a reason to override."
        )
        where = gettext("Before session %(number)d") % {"number": following.number}
        found += [(where, advice, v)
                  for v in rules.check_gap_days(rule_set, course.needle_mm, gap)]  # fmt: skip
    violations = [v for _, _, v in found]
    left = rules.unresolved(violations, {v.code: override_reason for v in violations})
    if left:
        raise CourseError([
            rules.RuleViolation(v.code, gettext("%(where)s: %(problem)s %(advice)s")
                                % {"where": where, "problem": v.message, "advice": advice}, True)
            for where, advice, v in found if v in left
        ])  # fmt: skip


def _replan_following(
    calendar: DatabaseCalendar,
    request: planning.PlanRequest,
    course: Course,
    moved: Session,
    after: list[Session],
    new_day: date,
    slot: planning.Slot,
) -> list[Move]:
    days = [_local_day(s.arrives_at) for s in [moved, *after]]
    # "Following" promises to keep the gaps: the later sessions move with this one
    # rather than snapping back to the preferred weekday (the time of day does return).
    keep = planning.PlanRequest(**{**request.__dict__, "preferred_time": course.preferred_time})
    try:
        plan = planning.plan_following(calendar, keep, days, new_day, preferred_room=slot.room_id)
    except planning.NoSlotError as error:
        raise CourseError.single("no_slot", str(error)) from error
    return [Move(s, p.slot) for s, p in zip(after, plan, strict=True)]


def _apply_moves(
    moves: list[Move], *, reason: str, override_reason: str, actor: Actor, tell_patient: bool = True
) -> list[Session]:
    move_sessions(
        moves=moves, actor=actor,
        reason="; ".join(r for r in (reason.strip(), override_reason.strip()) if r),
    )  # fmt: skip
    for move in moves:
        events.session_changed(move.session)
    if tell_patient:  # not the patient's own move: they know
        events.course_changed(moves[0].session.course)
    return [m.session for m in moves]


def _change_status(
    session: Session, status: SessionStatus, kind: str, *, reason: str, actor: Actor
) -> Session:
    """Move the session to ``status`` (a move of the state machine) with a history entry.

    The patient's own cancellation through a link is recorded under the
    patient-link actor (the history says "the patient") and tells nobody but
    the clinic.
    """
    session_flow.move(session, status)
    session.schedule_version += 1
    session.save(update_fields=["status", "schedule_version"])
    by_patient = is_patient_link(actor)
    overview.refresh_course_summary(session.course_id)
    SessionChange.objects.create(
        session=session, kind=kind, from_arrives_at=session.arrives_at, reason=reason.strip(),
        changed_by=actor,
    )  # fmt: skip
    events.session_changed(session)
    if kind == ChangeKind.CANCELLED and not by_patient:  # not the patient's own link
        events.course_changed(session.course)
    return session


@transaction.atomic
def cancel_session(*, session: Session, reason: str, actor: Actor) -> Session:
    """Cancel one session and free its slot; the course keeps its other sessions.

    A reason is required (it is kept in the history and tells the patient's
    notice apart from a slip), as for cancelling a whole course. The patient's
    link passes ``system_actor(SystemActor.PATIENT_LINK)``: no change notice then.
    """
    require(actor, "courses.cancel_session", session)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if not session.is_open:
        raise CourseError.single(
            "not_open", gettext("Only scheduled or confirmed sessions can be cancelled.")
        )
    if not reason.strip():
        raise CourseError.single("reason_required", gettext("Say why the session is cancelled."))
    return _change_status(
        session, SessionStatus.CANCELLED, ChangeKind.CANCELLED, reason=reason, actor=actor
    )


@transaction.atomic
def mark_no_show(*, session: Session, actor: Actor, now: datetime | None = None) -> Session:
    """Record that the patient did not come; allowed once their arrival time has passed."""
    require(actor, "courses.book", session)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if not session.is_open:
        raise CourseError.single(
            "not_open", gettext("Only scheduled or confirmed sessions can be no-shows.")
        )
    if (now or timezone.now()) < session.arrives_at:
        raise CourseError.single("not_yet", gettext("The patient's arrival time has not come yet."))
    return _change_status(
        session, SessionStatus.NO_SHOW, ChangeKind.NO_SHOW, reason="", actor=actor
    )


@transaction.atomic
def cancel_course(*, course: Course, reason: str, actor: Actor) -> Course:
    """Cancel every session not yet started, and the course."""
    require(actor, "courses.book", course)
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status in (CourseStatus.COMPLETED, CourseStatus.CANCELLED):
        raise CourseError.single(
            "not_active", gettext("This course is already completed or cancelled.")
        )
    if not reason.strip():
        raise CourseError.single("reason_required", gettext("Say why the course is cancelled."))
    for session in course.sessions.select_for_update().filter(status__in=[
        SessionStatus.SCHEDULED, SessionStatus.CONFIRMED
    ]):  # fmt: skip
        _change_status(
            session, SessionStatus.CANCELLED, ChangeKind.CANCELLED, reason=reason, actor=actor
        )
    course.status = CourseStatus.CANCELLED
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def book_replacement(*, course: Course, actor: Actor, at: datetime | None = None) -> Session:
    """Add one session while the course has fewer than the maximum.

    A session that replaces a cancelled or missed one keeps the plan's count;
    one beyond it grows the course (``sessions_planned``), so its progress and
    the overview count the sessions it really has.

    Without ``at`` it goes after the course's last session, where the planner
    finds room; with ``at`` (a free time picked in the calendar) exactly there,
    refused when that time is taken or breaks the gap to a neighbouring session.
    """
    require(actor, "courses.book", course)
    lock_booking_rows([course.practitioner_id], course.patient_id)
    course = Course.objects.select_for_update().select_related("area").get(pk=course.pk)
    rule_set = treatment_rules()
    if not course.is_editable:
        raise CourseError.single(
            "not_active", gettext("Only a planned or running course takes sessions.")
        )
    holding = list(course.sessions.filter(status__in=HOLDING_STATUSES).order_by("arrives_at"))
    if len(holding) >= rule_set.max_sessions:
        raise CourseError.single(
            "course_full",
            gettext("The course already has %(count)d sessions.")
            % {"count": rule_set.max_sessions},
        )
    number = (course.sessions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    if at is None:
        slot = _next_free_slot(course, rule_set, holding, number)
    else:
        slot = _slot_picked(course, rule_set, holding, at)
    session = session_from(course, planning.Proposal(number, slot, _local_day(slot.arrives_at),
                                                     None, "picked"))  # fmt: skip
    book_sessions(sessions=[session], kind=ChangeKind.REPLACEMENT, actor=actor)
    if len(holding) + 1 > course.sessions_planned:
        course.sessions_planned = len(holding) + 1
        course.save(update_fields=["sessions_planned", "updated_at"])
    events.session_changed(session)
    events.course_changed(course)
    return session


def _next_free_slot(
    course: Course, rule_set: rules.TreatmentRules, holding: list[Session], number: int
) -> planning.Slot:
    request = plan_request(course, rule_set, start_on=max(timezone.localdate(), course.start_on))
    previous = _local_day(holding[-1].arrives_at) if holding else None
    try:
        [proposal] = planning.plan_series(
            calendar_for(course, request, first_day=previous or request.start_on),
            request,
            count=1,
            first_number=number,
            previous_day=previous,
        )
    except planning.NoSlotError as error:
        raise CourseError.single("no_slot", str(error)) from error
    return proposal.slot


def _slot_picked(
    course: Course, rule_set: rules.TreatmentRules, holding: list[Session], at: datetime
) -> planning.Slot:
    local = at.astimezone(clinic_tz())
    check_bookable_time(local.date(), local.time())
    request = planning.PlanRequest(
        **{**plan_request(course, rule_set).__dict__, "preferred_time": local.time()}
    )
    slot = slot_at(calendar_for(course, request, first_day=local.date()), request, local.date())
    before = [s for s in holding if s.arrives_at < slot.arrives_at]
    after = [s for s in holding if s.arrives_at >= slot.arrives_at]
    neighbours = [before[-1] if before else None, after[0] if after else None]
    _check_neighbour_gaps(
        course, rule_set, local.date(), neighbours, "", hint=gettext("Pick another time for it.")
    )
    return slot
