"""Day and week calendars of one practitioner or room, laid out for the page.

Pure: no ORM, no clock. Positions are percentages of the day's grid, computed
from local wall-clock times in the clinic's zone, so a session at 10:00 sits at
10:00 on both sides of a daylight-saving change. Free time is offered in steps
of the clinic's slot step, only inside the resource's hours, clear of closures,
absences and every booked visit (arrival to end), and never in the past.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.pure_i18n import date_text, gettext
from courses.planning import local_datetime

DEFAULT_GRID = (time(8), time(20))
Spans = Sequence[tuple[time, time]]


@dataclass(frozen=True)
class Booking:
    """A session as the calendar shows it."""

    pk: int
    arrives_at: datetime
    procedure_starts_at: datetime
    procedure_ends_at: datetime
    status: str
    status_label: str
    title: str
    detail: str  # the session's place in its course and who or where: for every role
    treatment: str = ""  # area and needle: clinical, not for the front desk
    course_pk: int = 0
    practitioner_user_pk: int = 0


@dataclass(frozen=True)
class Facts:
    """What shapes a resource's days: its open hours by weekday, closures, absences."""

    hours: Mapping[int, Spans]
    closures: Sequence[tuple[date, date, str]] = ()
    absences: Sequence[tuple[datetime, datetime, str]] = ()


@dataclass(frozen=True)
class Placed:
    top: float
    height: float


@dataclass(frozen=True)
class PlacedBooking(Placed):
    booking: Booking
    cream_share: float  # percentage of the block that is the cream phase
    arrives: str  # local "HH:MM": formatted here once, not per template filter
    starts: str
    ends: str


@dataclass(frozen=True)
class Shade(Placed):
    kind: str  # "off", "closed" or "absent"
    label: str


@dataclass(frozen=True)
class FreeSlot(Placed):
    starts_at: datetime
    opens_run: bool  # the first of consecutive free slots: the page labels only these
    clock: str  # local "HH:MM"
    local: str  # local "YYYY-MM-DDTHH:MM", what the planner link carries


@dataclass
class DayColumn:
    day: date
    label: str = ""  # "Monday 30 November"
    closed_reason: str | None = None
    shades: list[Shade] = field(default_factory=list)
    bookings: list[PlacedBooking] = field(default_factory=list)
    free: list[FreeSlot] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    grid_start: time
    grid_end: time
    hour_marks: list[tuple[str, float]]
    columns: list[DayColumn]


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def intersect(a: Spans, b: Spans) -> list[tuple[time, time]]:
    """Where two sets of daily spans overlap (opening hours and working hours)."""
    found = [(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b]
    return sorted((s, e) for s, e in found if s < e)


def lay_out(
    days: Sequence[date],
    facts: Facts,
    bookings: Sequence[Booking],
    *,
    tz: ZoneInfo,
    step_minutes: int,
    now: datetime,
) -> Layout:
    """Place bookings, shading and free slots on a grid spanning every day's hours."""
    grid = _Grid(*_grid_bounds(days, facts, bookings, tz))
    columns = [
        _lay_out_day(day, facts, [b for b in bookings if b.arrives_at.astimezone(tz).date() == day],
                     grid, tz=tz, step_minutes=step_minutes, now=now)
        for day in days
    ]  # fmt: skip
    hours = range(grid.start.hour, grid.end.hour + 1)
    marks = [(f"{h:02d}:00", grid.place(time(h), time(h))[0]) for h in hours]
    return Layout(grid.start, grid.end, marks if grid.end != time.max else marks[:-1], columns)


@dataclass(frozen=True)
class _Grid:
    start: time
    end: time

    def place(self, a: time, b: time) -> tuple[float, float]:
        """Top and height, in percent of the grid, of the span [a, b)."""
        total = _minutes(self.end) - _minutes(self.start)
        top = (_minutes(a) - _minutes(self.start)) / total * 100
        return round(top, 3), round((_minutes(b) - _minutes(a)) / total * 100, 3)


def _lay_out_day(
    day: date,
    facts: Facts,
    todays: list[Booking],
    grid: _Grid,
    *,
    tz: ZoneInfo,
    step_minutes: int,
    now: datetime,
) -> DayColumn:
    column = DayColumn(day, date_text(day, "l j E"))
    open_spans = list(facts.hours.get(day.weekday(), ()))
    column.closed_reason = next((r for s, e, r in facts.closures if s <= day <= e), None)
    if column.closed_reason:
        column.shades.append(
            Shade(*grid.place(grid.start, grid.end), "closed", column.closed_reason)
        )
        open_spans = []
    else:
        for a, b in _gaps(open_spans, grid.start, grid.end):
            column.shades.append(Shade(*grid.place(a, b), "off", gettext("Outside hours")))
    absent = _absences_on(day, facts.absences, tz, grid.start, grid.end)
    for a, b, reason in absent:
        column.shades.append(Shade(*grid.place(a, b), "absent", reason or gettext("Absent")))
    for booking in sorted(todays, key=lambda b: (b.arrives_at, b.pk)):
        column.bookings.append(_place_booking(booking, tz, grid.place))
    blocked = [(_local(b.arrives_at, tz), _local(b.procedure_ends_at, tz)) for b in todays]
    blocked += [(a, b) for a, b, _ in absent]
    previous = None
    for slot in _free_slots(day, open_spans, blocked, tz, step_minutes, now):
        local = slot.astimezone(tz).time()
        opens = previous is None or slot - previous > timedelta(minutes=step_minutes)
        clock = f"{local:%H:%M}"
        placed = grid.place(local, _add(local, step_minutes))
        column.free.append(FreeSlot(*placed, slot, opens, clock, f"{day.isoformat()}T{clock}"))
        previous = slot
    return column


def _minutes(moment: time) -> float:
    if moment == time.max:
        return 24 * 60
    return moment.hour * 60 + moment.minute + moment.second / 60


def _add(moment: time, minutes: int) -> time:
    total = _minutes(moment) + minutes
    return time.max if total >= 24 * 60 else time(int(total // 60), int(total % 60))


def _local(moment: datetime, tz: ZoneInfo) -> time:
    return moment.astimezone(tz).time()


def _grid_bounds(
    days: Sequence[date], facts: Facts, bookings: Sequence[Booking], tz: ZoneInfo
) -> tuple[time, time]:
    """Whole hours from the earliest opening (or booking) to the latest closing."""
    spans = [span for day in days for span in facts.hours.get(day.weekday(), ())]
    spans += [(_local(b.arrives_at, tz), _local(b.procedure_ends_at, tz)) for b in bookings]
    if not spans:
        return DEFAULT_GRID
    first = min(s for s, _ in spans)
    last = max(e if e > s else time.max for s, e in spans)
    end_hour = last.hour + (1 if (last.minute or last.second) and last != time.max else 0)
    return time(first.hour), time.max if last == time.max or end_hour >= 24 else time(end_hour)


def _gaps(spans: Spans, start: time, end: time) -> list[tuple[time, time]]:
    """The parts of [start, end) outside the given spans."""
    gaps, cursor = [], start
    for s, e in sorted(spans):
        if s > cursor:
            gaps.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def _absences_on(
    day: date,
    absences: Sequence[tuple[datetime, datetime, str]],
    tz: ZoneInfo,
    start: time,
    end: time,
) -> list[tuple[time, time, str]]:
    """Absences clipped to the day's grid, as local times."""
    day_start = datetime.combine(day, start, tzinfo=tz)
    day_end = datetime.combine(day, end, tzinfo=tz)
    clipped = []
    for a, b, reason in absences:
        a, b = max(a, day_start), min(b, day_end)
        if a < b:
            clipped.append((_local(a, tz), _local(b, tz) if b < day_end else end, reason))
    return clipped


def _place_booking(
    booking: Booking, tz: ZoneInfo, place: Callable[[time, time], tuple[float, float]]
) -> PlacedBooking:
    arrives, starts = _local(booking.arrives_at, tz), _local(booking.procedure_starts_at, tz)
    ends = _local(booking.procedure_ends_at, tz)
    visit = booking.procedure_ends_at - booking.arrives_at
    cream = booking.procedure_starts_at - booking.arrives_at
    share = round(cream / visit * 100, 3) if visit else 0.0
    times = (f"{arrives:%H:%M}", f"{starts:%H:%M}", f"{ends:%H:%M}")
    return PlacedBooking(*place(arrives, ends), booking, share, *times)


def _free_slots(
    day: date,
    open_spans: Spans,
    blocked: Sequence[tuple[time, time]],
    tz: ZoneInfo,
    step_minutes: int,
    now: datetime,
) -> list[datetime]:
    """Slot starts inside the open spans with nothing booked or absent, from now on."""
    slots = []
    for span_start, span_end in open_spans:
        cursor = span_start
        while _minutes(cursor) + step_minutes <= _minutes(span_end):
            after = _add(cursor, step_minutes)
            clear = all(not (cursor < b and a < after) for a, b in blocked)
            moment = local_datetime(day, cursor, tz)  # None when the clocks skip it
            if clear and moment is not None and moment >= now:
                slots.append(moment)
            cursor = after
    return slots
