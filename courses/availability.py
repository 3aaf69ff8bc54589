"""The planner's view of the database: one day of availability at a time.

Clinic hours, closures and the practitioner's hours and absences are small and
read once; sessions are read one day at a time, only for the practitioner,
the rooms and the patient concerned, so planning never loads the calendar
wholesale and its query count does not grow with the number of bookings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from clinic.models import Absence, Closure, OpeningHours, Room, WorkingHours
from courses.models import HOLDING_STATUSES, LONGEST_VISIT
from courses.planning import DayAvailability, Interval

# Times come back as epoch seconds on PostgreSQL: its timestamp text is parsed in
# Python by the driver (Django's time-zone-aware loader), which cost more than the
# query itself. SQLite returns its stored text through the standard converter.
TIME_COLUMNS = {
    "postgresql": "EXTRACT(EPOCH FROM {})::float8",
    "sqlite": "{}",
}
STATUS_PLACEHOLDERS = ", ".join(["%s"] * len(HOLDING_STATUSES))


def day_sql(vendor: str) -> str:
    """Sessions holding time that overlap a span; only placeholders are interpolated."""
    column = TIME_COLUMNS.get(vendor, "{}")
    times = ", ".join(column.format(c) for c in ("arrives_at", "procedure_starts_at",
                                                  "procedure_ends_at"))  # fmt: skip
    return (
        f"SELECT id, practitioner_id, room_id, patient_id, {times} FROM courses_session "  # noqa: S608
        f"WHERE status IN ({STATUS_PLACEHOLDERS}) "
        "AND procedure_starts_at >= %s AND procedure_starts_at < %s AND procedure_ends_at > %s"
    )


class DatabaseCalendar:
    """Availability for one practitioner and one patient, day by day (cached)."""

    def __init__(
        self,
        *,
        practitioner_id: int,
        patient_id: int,
        tz: ZoneInfo,
        first_day: date,
        last_day: date,
        ignore_session_ids: Iterable[int] = (),
    ) -> None:
        self.tz = tz
        self.practitioner_id = practitioner_id
        self.patient_id = patient_id
        self.ignore = set(ignore_session_ids)
        self.room_ids = list(Room.objects.filter(is_active=True).values_list("id", flat=True))
        self.opening = by_weekday(OpeningHours.objects.values_list("weekday", "opens", "closes"))
        self.working = by_weekday(
            WorkingHours.objects.filter(practitioner_id=practitioner_id).values_list(
                "weekday", "starts", "ends"
            )
        )
        self.closures = list(
            Closure.objects.filter(starts_on__lte=last_day, ends_on__gte=first_day).values_list(
                "starts_on", "ends_on", "reason"
            )
        )
        start = datetime.combine(first_day, time.min, tzinfo=tz)
        end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
        self.absences = [
            Interval(s, e)
            for s, e in Absence.objects.filter(
                practitioner_id=practitioner_id, starts_at__lt=end, ends_at__gt=start
            ).values_list("starts_at", "ends_at")
        ]
        self._days: dict[date, DayAvailability] = {}

    def day(self, day: date) -> DayAvailability:
        if day not in self._days:
            self._days[day] = self._load(day)
        return self._days[day]

    def _sessions_between(self, earliest: datetime, end: datetime, start: datetime) -> list[tuple]:
        """Sessions holding time on the day, by time range only (served by the time index),
        their times as the database returns them (``as_utc`` reads them).

        Every active room is wanted anyway, so practitioner, rooms and patient are
        sorted out in Python. Plain SQL: this runs for each day the planner looks
        at, and the ORM's per-value conversions cost more than the query itself.
        """
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(
                day_sql(connection.vendor),
                [*HOLDING_STATUSES, adapt(earliest), adapt(end), adapt(start)],
            )
            return cursor.fetchall()

    def _load(self, day: date) -> DayAvailability:
        start = datetime.combine(day, time.min, tzinfo=self.tz)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.tz)
        span = Interval(start, end)
        closed = next((r for s, e, r in self.closures if s <= day <= e), None)
        opening, working = self.opening.get(day.weekday(), ()), self.working.get(day.weekday(), ())
        if closed is not None or not opening or not working:
            # Nothing can be booked that day whatever else is on it: no need to read it.
            return DayAvailability(day=day, closed_reason=closed, opening=tuple(opening),
                                   working=tuple(working), absences=(),
                                   room_busy=dict.fromkeys(self.room_ids, ()))  # fmt: skip
        rows = self._sessions_between(start - LONGEST_VISIT, end, start)
        practitioner: list[Interval] = []
        patient: list[Interval] = []
        rooms: dict[int, list[Interval]] = {room: [] for room in self.room_ids}
        as_utc = _epoch_as_utc if connection.vendor == "postgresql" else _as_utc
        for pk, who, room, whom, arrives, starts, ends in rows:
            if pk in self.ignore:
                continue
            # A day holds a few hundred rows on a busy clinic; each time is read only once.
            procedure = Interval(as_utc(starts), as_utc(ends))
            if who == self.practitioner_id:
                practitioner.append(procedure)
            if room in rooms:
                rooms[room].append(procedure)
            if whom == self.patient_id:
                patient.append(Interval(as_utc(arrives), procedure.end))
        return DayAvailability(
            day=day,
            closed_reason=closed,
            opening=tuple(self.opening.get(day.weekday(), ())),
            working=tuple(self.working.get(day.weekday(), ())),
            absences=tuple(a for a in self.absences if a.overlaps(span)),
            practitioner_busy=tuple(practitioner),
            patient_busy=tuple(patient),
            room_busy={room: tuple(busy) for room, busy in rooms.items()},
        )


def _epoch_as_utc(value: float) -> datetime:
    """PostgreSQL's epoch seconds (``TIME_COLUMNS``) as an aware UTC datetime."""
    return datetime.fromtimestamp(value, UTC)


def _as_utc(value: datetime | str | float) -> datetime:
    """Epoch seconds (PostgreSQL), naive UTC datetimes or text (SQLite), or aware datetimes."""
    if isinstance(value, float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def by_weekday(rows: Iterable[tuple[int, time, time]]) -> dict[int, list[tuple[time, time]]]:
    grouped: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, starts, ends in rows:
        grouped[weekday].append((starts, ends))
    return {weekday: sorted(spans) for weekday, spans in grouped.items()}
