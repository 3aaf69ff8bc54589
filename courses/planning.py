"""Place a course's sessions in the calendar (pure: no ORM, no clock).

The planner proposes every session at once. Session 1 lands on the first
preferred weekday on or after the start date (or as near after it as the
calendar allows). Each next session lands as near as possible to the previous
one plus the target gap, never outside [previous + minimum gap, previous +
maximum gap], inside the clinic's opening hours and the practitioner's working
hours, clear of closures, absences and other bookings, and as near as possible
to the preferred time of day. Times are local wall-clock times in the clinic's
zone, so 10:00 stays 10:00 across daylight-saving changes; what comes out is
in UTC.

A session is booked as phases: the patient arrives; when the needle needs
anaesthetic cream, it is on for ``cream_minutes`` while the patient waits (the
practitioner and room are free); then the procedure, when practitioner and room
are busy. The patient is busy from arrival to the end.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from clinic.pure_i18n import date_text, gettext, gettext_lazy, ngettext
from courses.rules import format_weeks

WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end), both aware datetimes."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, other: Interval) -> bool:
        return other.start <= self.start and self.end <= other.end


@dataclass(frozen=True)
class DayAvailability:
    """What the calendar holds for one local day, for one practitioner and patient."""

    day: date
    closed_reason: str | None = None
    opening: tuple[tuple[time, time], ...] = ()
    working: tuple[tuple[time, time], ...] = ()
    absences: tuple[Interval, ...] = ()
    practitioner_busy: tuple[Interval, ...] = ()
    patient_busy: tuple[Interval, ...] = ()
    room_busy: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict)


class Calendar(Protocol):
    """Answers availability one day at a time, so no caller loads the whole calendar."""

    tz: ZoneInfo

    def day(self, day: date) -> DayAvailability: ...


@dataclass(frozen=True)
class PlanRequest:
    start_on: date
    sessions: int
    target_gap_days: int
    min_gap_days: int
    max_gap_days: int
    preferred_weekday: int | None  # 0 = Monday; None: any day
    preferred_time: time
    cream_minutes: int
    procedure_minutes: int
    first_search_days: int = 28
    step_minutes: int = 15
    not_before: datetime | None = None  # nothing is proposed before this moment (now)


@dataclass(frozen=True)
class Slot:
    arrives_at: datetime
    procedure_starts_at: datetime
    procedure_ends_at: datetime
    room_id: int

    @property
    def procedure(self) -> Interval:
        return Interval(self.procedure_starts_at, self.procedure_ends_at)

    @property
    def visit(self) -> Interval:
        return Interval(self.arrives_at, self.procedure_ends_at)


@dataclass(frozen=True)
class Proposal:
    number: int
    slot: Slot
    day: date
    gap_days: int | None  # days after the previous session; None for the first
    reason: str

    @property
    def gap_text(self) -> str:
        return format_weeks(self.gap_days) if self.gap_days else ""


class NoSlotError(Exception):
    """No slot fits one session's window; says which session and which window."""

    def __init__(self, number: int, window_start: date, window_end: date, ideal: date) -> None:
        self.number = number
        self.window_start = window_start
        self.window_end = window_end
        self.ideal = ideal
        super().__init__(
            gettext("Session %(number)d has no free slot between %(start)s and %(end)s.")
            % {
                "number": number,
                "start": date_text(window_start, "D d M Y"),
                "end": date_text(window_end, "D d M Y"),
            }
        )


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """The aware datetime for a wall-clock time, or None if the clocks skip it."""
    local = datetime.combine(day, at, tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


def first_preferred_day(start_on: date, weekday: int | None) -> date:
    if weekday is None:
        return start_on
    return start_on + timedelta(days=(weekday - start_on.weekday()) % 7)


def ideal_next_day(
    previous_day: date, target_days: int, first: date, last: date, weekday: int | None
) -> date:
    """Where the next session should go: the target gap, on the preferred weekday.

    The preferred weekday nearest the target that keeps the gap inside
    [first, last] wins, so a course that had to leave its weekday (a closure,
    an absence) returns to it as soon as the gap rules allow: a detour stays a
    detour. With no preferred weekday, or none inside the window, the target
    day clamped into the window.
    """
    target = min(max(previous_day + timedelta(days=target_days), first), last)
    if weekday is None:
        return target
    offset = (weekday - target.weekday()) % 7  # 0..6 days later
    options = [target + timedelta(days=offset), target + timedelta(days=offset - 7)]
    inside = [d for d in options if first <= d <= last]
    if not inside:
        return target
    return min(inside, key=lambda d: (abs((d - target).days), d < target))


def candidate_days(ideal: date, first: date, last: date) -> list[date]:
    """Days in [first, last], nearest to ``ideal`` first; on a tie the later day first."""
    span = (last - first).days
    days = [first + timedelta(days=i) for i in range(span + 1)]
    return sorted(days, key=lambda d: (abs((d - ideal).days), d < ideal))


def candidate_times(
    opening: Iterable[tuple[time, time]], preferred: time, step_minutes: int
) -> list[time]:
    """Start times on the step grid inside opening hours, nearest the preferred first."""
    times: set[time] = set()
    for opens, closes in opening:
        cursor = datetime.combine(date.min, opens)
        end = datetime.combine(date.min, closes)
        while cursor < end:
            times.add(cursor.time())
            cursor += timedelta(minutes=step_minutes)
    target = preferred.hour * 60 + preferred.minute
    return sorted(times, key=lambda t: (abs(t.hour * 60 + t.minute - target), t))


def _windows(day: date, spans: Iterable[tuple[time, time]], tz: ZoneInfo) -> list[Interval]:
    windows = []
    for opens, closes in spans:
        start, end = local_datetime(day, opens, tz), local_datetime(day, closes, tz)
        if start is not None and end is not None:
            windows.append(Interval(start, end))
    return windows


def fit_slot(
    avail: DayAvailability,
    request: PlanRequest,
    tz: ZoneInfo,
    *,
    preferred_room: int | None = None,
    exact: bool = False,
) -> Slot | None:
    """The slot nearest the preferred time on this day, or None if none fits.

    With ``exact``, only the preferred time itself is tried.
    """
    if avail.closed_reason is not None or not avail.working:
        return None
    opening = _windows(avail.day, avail.opening, tz)
    working = _windows(avail.day, avail.working, tz)
    cream = timedelta(minutes=request.cream_minutes)
    length = timedelta(minutes=request.procedure_minutes)
    rooms = sorted(avail.room_busy, key=lambda r: (r != preferred_room, r))
    practitioner_busy = Busy([*avail.absences, *avail.practitioner_busy])
    patient_busy = Busy(avail.patient_busy)
    room_busy = {room: Busy(busy) for room, busy in avail.room_busy.items()}
    times = (
        [request.preferred_time]
        if exact
        else candidate_times(avail.opening, request.preferred_time, request.step_minutes)
    )
    for at in times:
        arrives = local_datetime(avail.day, at, tz)
        if arrives is None or (request.not_before and arrives < request.not_before):
            continue
        starts = arrives + cream
        visit, procedure = Interval(arrives, starts + length), Interval(starts, starts + length)
        if not any(visit.within(w) for w in opening):
            continue
        if not any(procedure.within(w) for w in working):
            continue
        if practitioner_busy.clashes(procedure) or patient_busy.clashes(visit):
            continue
        room = next((r for r in rooms if not room_busy[r].clashes(procedure)), None)
        if room is not None:
            return Slot(
                arrives.astimezone(UTC),
                starts.astimezone(UTC),
                (starts + length).astimezone(UTC),
                room,
            )
    return None


class Busy:
    """Busy intervals answering "does this span clash?" in logarithmic time.

    Sorted by start with a running maximum of ends, so intervals may overlap.
    """

    def __init__(self, intervals: Iterable[Interval]) -> None:
        ordered = sorted(intervals, key=lambda i: i.start)
        self.starts = [i.start for i in ordered]
        self.max_ends: list[datetime] = []
        for interval in ordered:
            latest = self.max_ends[-1] if self.max_ends else interval.end
            self.max_ends.append(max(latest, interval.end))

    def clashes(self, span: Interval) -> bool:
        before_end = bisect_left(self.starts, span.end)  # intervals starting before span ends
        return before_end > 0 and self.max_ends[before_end - 1] > span.start


def explain_miss(avail: DayAvailability) -> str:
    """Why a target day could not take the session, in words."""
    if avail.closed_reason is not None:
        return gettext("the clinic is closed (%(reason)s)") % {"reason": avail.closed_reason}
    if not avail.opening:
        return gettext("the clinic is not open that day")
    if not avail.working:
        return gettext("the practitioner does not work that day")
    if avail.absences:
        return gettext("the practitioner is away")
    return gettext("no free slot that day")


def plan_series(
    calendar: Calendar,
    request: PlanRequest,
    *,
    count: int | None = None,
    first_number: int = 1,
    previous_day: date | None = None,
    target_gaps: Sequence[int] | None = None,
    preferred_room: int | None = None,
) -> list[Proposal]:
    """Propose ``count`` sessions (default: the request's), each after the one before.

    ``previous_day`` is the local date of the session before the first one
    proposed (None when planning from the start date). ``target_gaps`` gives a
    target gap in days per session (default: the request's target gap).
    Raises NoSlotError naming the first session that cannot be placed.
    """
    count = request.sessions if count is None else count
    proposals: list[Proposal] = []
    for index in range(count):
        number = first_number + index
        target = target_gaps[index] if target_gaps else request.target_gap_days
        if previous_day is None:
            ideal = first_preferred_day(request.start_on, request.preferred_weekday)
            first, last = (
                request.start_on,
                request.start_on + timedelta(days=request.first_search_days),
            )
        else:
            first = previous_day + timedelta(days=request.min_gap_days)
            last = previous_day + timedelta(days=request.max_gap_days)
            ideal = ideal_next_day(previous_day, target, first, last, request.preferred_weekday)
        if request.not_before is not None:
            today = request.not_before.astimezone(calendar.tz).date()
            if last < today:  # the whole window the rules allow has passed
                raise NoSlotError(number, first, last, ideal)
            first, ideal = max(first, today), max(ideal, today)
        proposal = _place(
            calendar, request, number, ideal, first, last, previous_day, preferred_room, target
        )
        proposals.append(proposal)
        previous_day, preferred_room = proposal.day, proposal.slot.room_id
    return proposals


def plan_following(
    calendar: Calendar,
    request: PlanRequest,
    days: Sequence[date],
    new_day: date,
    *,
    preferred_room: int | None = None,
) -> list[Proposal]:
    """Place the sessions after a moved one again, keeping their gaps ("this and following").

    ``days`` are the local days of the moved session and every later one, as
    booked now. Each later session targets the gap it had to the one before;
    the preferred weekday is dropped (the sessions move with the moved one) but
    the time of day returns to the request's. The one rule behind the staff's
    "this and following" and the patient's self-reschedule. NoSlotError when
    one finds no slot.
    """
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    if not gaps:
        return []
    keep = PlanRequest(**{**request.__dict__, "preferred_weekday": None})
    return plan_series(
        calendar, keep, count=len(gaps), previous_day=new_day, target_gaps=gaps,
        preferred_room=preferred_room,
    )  # fmt: skip


def _place(
    calendar: Calendar,
    request: PlanRequest,
    number: int,
    ideal: date,
    first: date,
    last: date,
    previous_day: date | None,
    preferred_room: int | None,
    target_days: int,
) -> Proposal:
    ideal_miss = None
    for day in candidate_days(ideal, first, last):
        avail = calendar.day(day)
        slot = fit_slot(avail, request, calendar.tz, preferred_room=preferred_room)
        if slot is None:
            if day == ideal:
                ideal_miss = explain_miss(avail)
            continue
        gap = None if previous_day is None else (day - previous_day).days
        why = Why(number, day, ideal, ideal_miss, gap, target_days)
        reason = _reason(why, slot, request, calendar.tz)
        return Proposal(number, slot, day, gap, reason)
    raise NoSlotError(number, first, last, ideal)


@dataclass(frozen=True)
class Why:
    """What the reason sentence for one placed session is made of."""

    number: int
    day: date
    ideal: date
    ideal_miss: str | None
    gap: int | None
    target_days: int


def _reason(why: Why, slot: Slot, request: PlanRequest, tz: ZoneInfo) -> str:
    on_ideal = why.day == why.ideal
    where = _where_on_ideal(why, request.preferred_weekday) if on_ideal else _shift(why)
    arrival = slot.arrives_at.astimezone(tz).time()
    if arrival != request.preferred_time:
        wanted = local_datetime(why.day, request.preferred_time, tz)
        passed = request.not_before and wanted and wanted < request.not_before
        times = {"preferred": f"{request.preferred_time:%H:%M}", "arrival": f"{arrival:%H:%M}"}
        if passed:
            at = gettext("%(preferred)s has passed, %(arrival)s is the nearest") % times
        else:
            at = gettext("%(preferred)s was not free, %(arrival)s is the nearest") % times
        where = _clauses(where, at)
    return where[0].upper() + where[1:] + "."


def _clauses(first: str, second: str) -> str:
    """Two clauses of one reason sentence, each a whole clause of its own."""
    return gettext("%(first)s; %(second)s") % {"first": first, "second": second}


def _shift(why: Why) -> str:
    """How far, and why, the session moved off its ideal day."""
    shift = (why.day - why.ideal).days
    facts = {"days": abs(shift), "ideal": date_text(why.ideal, "D d M")}
    if shift > 0:
        where = ngettext(
            "%(days)d day later than %(ideal)s", "%(days)d days later than %(ideal)s", abs(shift)
        )
    else:
        where = ngettext(
            "%(days)d day earlier than %(ideal)s",
            "%(days)d days earlier than %(ideal)s",
            abs(shift),
        )
    where %= facts
    if why.ideal_miss:
        where = gettext("%(shift)s: %(why)s") % {"shift": where, "why": why.ideal_miss}
    return where


def _where_on_ideal(why: Why, weekday: int | None) -> str:
    """Say honestly why the ideal day is where it is: the target, the weekday or the rules."""
    if why.gap is None:
        return gettext("the first preferred day on or after the start")
    facts = {
        "gap": format_weeks(why.gap),
        "previous": why.number - 1,
        "target": format_weeks(why.target_days),
        "weekday": WEEKDAYS[weekday] if weekday is not None else "",
    }
    if why.gap == why.target_days:
        where = gettext("%(gap)s after session %(previous)d, as targeted") % facts
        if weekday is None or why.day.weekday() == weekday:
            return where
    elif weekday is not None and why.day.weekday() == weekday:
        return (
            gettext(
                "on the preferred %(weekday)s, %(gap)s after session %(previous)d "
                "(target %(target)s)"
            )
            % facts
        )
    else:
        where = (
            gettext(
                "%(gap)s after session %(previous)d, the nearest the gap rules allow to the "
                "%(target)s target"
            )
            % facts
        )
    if weekday is not None:
        where = _clauses(where, gettext("no %(weekday)s keeps the gap inside the rules") % facts)
    return where
