"""Calendar layout (pure): positions, shading and free time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from courses import calendar

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 30)
NINE_TO_FIVE = {d: [(time(9), time(17))] for d in range(5)}
EARLY = datetime(2026, 11, 1, tzinfo=UTC)


def booking(day: date, arrives: time, cream: int = 0, minutes: int = 45, pk: int = 1):
    start = datetime.combine(day, arrives, tzinfo=LONDON)
    return calendar.Booking(
        pk=pk, arrives_at=start, procedure_starts_at=start + timedelta(minutes=cream),
        procedure_ends_at=start + timedelta(minutes=cream + minutes), status="scheduled",
        status_label="Scheduled", title="Emma Clarke", detail="Face, 1.0 mm",
    )  # fmt: skip


def lay_out(days, facts=None, bookings=(), *, step=30, now=EARLY):
    facts = facts or calendar.Facts(NINE_TO_FIVE)
    return calendar.lay_out(days, facts, bookings, tz=LONDON, step_minutes=step, now=now)


def free_times(column):
    times = [s.starts_at.astimezone(LONDON).strftime("%H:%M") for s in column.free]
    assert [s.clock for s in column.free] == times
    assert [s.local for s in column.free] == [f"{column.day.isoformat()}T{t}" for t in times]
    return times


def test_week_runs_monday_to_sunday():
    assert calendar.week_of(date(2026, 12, 3)) == [MONDAY + timedelta(days=n) for n in range(7)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(time(9), time(18))], [(time(10), time(20))], [(time(10), time(18))]),
        ([(time(9), time(12)), (time(13), time(18))], [(time(11), time(14))],
         [(time(11), time(12)), (time(13), time(14))]),
        ([(time(9), time(12))], [(time(12), time(18))], []),
        ([(time(9), time(12))], [], []),
    ],
)  # fmt: skip
def test_intersect_keeps_only_common_hours(a, b, expected):
    assert calendar.intersect(a, b) == expected


def test_grid_spans_whole_hours_of_the_days_shown():
    layout = lay_out([MONDAY])
    assert (layout.grid_start, layout.grid_end) == (time(9), time(17))
    assert layout.hour_marks[0] == ("09:00", 0.0)
    assert layout.hour_marks[-1] == ("17:00", 100.0)


def test_grid_grows_to_hold_a_booking_outside_hours():
    layout = lay_out([MONDAY], bookings=[booking(MONDAY, time(17, 30))])
    assert (layout.grid_start, layout.grid_end) == (time(9), time(19))


def test_grid_defaults_when_nothing_is_open():
    layout = lay_out([date(2026, 12, 6)])  # a Sunday: closed
    assert (layout.grid_start, layout.grid_end) == calendar.DEFAULT_GRID
    [column] = layout.columns
    assert [s.kind for s in column.shades] == ["off"]
    assert column.free == []


def test_booking_is_placed_by_wall_clock_with_its_cream_phase():
    [column] = lay_out([MONDAY], bookings=[booking(MONDAY, time(11), cream=20, minutes=60)]).columns
    [placed] = column.bookings
    assert (placed.top, placed.height) == (25.0, 16.667)  # 2 h into 8 h, 80 min long
    assert placed.cream_share == 25.0  # 20 of 80 minutes
    assert (placed.arrives, placed.starts, placed.ends) == ("11:00", "11:20", "12:20")


@pytest.mark.parametrize("day", [date(2026, 3, 30), date(2026, 10, 26), date(2026, 3, 23)])
def test_ten_oclock_stays_at_ten_across_daylight_saving(day):
    [column] = lay_out([day], bookings=[booking(day, time(10))]).columns
    assert column.bookings[0].top == 12.5


def test_free_time_skips_booked_visits_and_ends_before_closing():
    [column] = lay_out([MONDAY], bookings=[booking(MONDAY, time(10), cream=20)]).columns
    # visit 10:00-11:05 blocks 10:00, 10:30 and 11:00; the last slot starts 16:30
    assert free_times(column) == ["09:00", "09:30", "11:30", "12:00", "12:30", "13:00", "13:30",
                                  "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]  # fmt: skip


def test_free_time_starts_from_now():
    now = datetime.combine(MONDAY, time(15, 10), tzinfo=LONDON)
    [column] = lay_out([MONDAY], now=now).columns
    assert free_times(column) == ["15:30", "16:00", "16:30"]


def test_closure_shades_the_day_with_its_reason_and_offers_nothing():
    facts = calendar.Facts(NINE_TO_FIVE, closures=[(MONDAY, MONDAY, "Staff training")])
    [column] = lay_out([MONDAY], facts).columns
    assert column.closed_reason == "Staff training"
    assert [(s.kind, s.label, s.top, s.height) for s in column.shades] == [
        ("closed", "Staff training", 0.0, 100.0)
    ]
    assert column.free == []


def test_absence_is_shaded_and_blocks_free_time():
    away = (datetime.combine(MONDAY, time(12), tzinfo=LONDON),
            datetime.combine(MONDAY, time(14), tzinfo=LONDON), "Dentist")  # fmt: skip
    [column] = lay_out([MONDAY], calendar.Facts(NINE_TO_FIVE, absences=[away]), step=60).columns
    assert [(s.kind, s.label, s.top, s.height) for s in column.shades] == [
        ("absent", "Dentist", 37.5, 25.0)
    ]
    assert free_times(column) == ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]


def test_absence_over_several_days_shades_each_whole_day():
    wednesday = MONDAY + timedelta(days=2)
    away = (datetime.combine(MONDAY, time(0), tzinfo=LONDON),
            datetime.combine(wednesday, time(0), tzinfo=LONDON), "Holiday")  # fmt: skip
    layout = lay_out(calendar.week_of(MONDAY), calendar.Facts(NINE_TO_FIVE, absences=[away]))
    absent = [[s.label for s in c.shades if s.kind == "absent"] for c in layout.columns]
    assert absent[:3] == [["Holiday"], ["Holiday"], []]
    assert layout.columns[0].free == []
    assert layout.columns[2].free != []


def test_hours_outside_opening_are_shaded_off():
    hours = {0: [(time(9), time(12)), (time(13), time(17))]}
    [column] = lay_out([MONDAY], calendar.Facts(hours)).columns
    assert [(s.kind, s.top, s.height) for s in column.shades] == [("off", 37.5, 12.5)]


def test_times_the_clocks_skip_are_not_offered():
    night = {6: [(time(0), time(3))]}  # a Sunday
    early = datetime(2026, 1, 1, tzinfo=UTC)
    [column] = lay_out([date(2026, 3, 29)], calendar.Facts(night), step=30, now=early).columns
    assert free_times(column) == ["00:00", "00:30", "02:00", "02:30"]


def test_only_the_first_of_consecutive_free_slots_opens_a_run():
    [column] = lay_out([MONDAY], bookings=[booking(MONDAY, time(10), cream=20)]).columns
    assert [s.opens_run for s in column.free[:4]] == [True, False, True, False]
