"""The planner against an in-memory calendar: no database, no clock."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from courses.planning import (
    Busy,
    DayAvailability,
    Interval,
    NoSlotError,
    PlanRequest,
    candidate_days,
    ideal_next_day,
    local_datetime,
    plan_series,
)

LONDON = ZoneInfo("Europe/London")
WEEKDAY_HOURS = ((time(9), time(18)),)


@dataclass
class FakeCalendar:
    tz: ZoneInfo = LONDON
    opening: dict = field(default_factory=lambda: dict.fromkeys(range(6), WEEKDAY_HOURS))
    working: dict = field(default_factory=lambda: dict.fromkeys(range(5), WEEKDAY_HOURS))
    closures: dict = field(default_factory=dict)
    absences: list = field(default_factory=list)
    practitioner: list = field(default_factory=list)
    patient: list = field(default_factory=list)
    rooms: dict = field(default_factory=lambda: {1: [], 2: []})
    asked: list = field(default_factory=list)

    def day(self, day):
        self.asked.append(day)
        start = datetime.combine(day, time.min, tzinfo=self.tz)
        span = Interval(start, start + timedelta(days=1))
        return DayAvailability(
            day=day,
            closed_reason=self.closures.get(day),
            opening=self.opening.get(day.weekday(), ()),
            working=self.working.get(day.weekday(), ()),
            absences=tuple(a for a in self.absences if a.overlaps(span)),
            practitioner_busy=tuple(self.practitioner),
            patient_busy=tuple(self.patient),
            room_busy={r: tuple(b) for r, b in self.rooms.items()},
        )


def local(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def span(day, h1, m1, h2, m2):
    return Interval(local(day, h1, m1), local(day, h2, m2))


def request(**overrides):
    values = {
        "start_on": date(2026, 1, 5),  # a Monday
        "sessions": 6,
        "target_gap_days": 21,
        "min_gap_days": 14,
        "max_gap_days": 42,
        "preferred_weekday": 1,  # Tuesday
        "preferred_time": time(10),
        "cream_minutes": 0,
        "procedure_minutes": 45,
    }
    values.update(overrides)
    return PlanRequest(**values)


def arrivals(plan):
    return [p.slot.arrives_at.astimezone(LONDON) for p in plan]


def test_plans_every_session_on_target_same_weekday_and_time():
    plan = plan_series(FakeCalendar(), request())
    assert [p.number for p in plan] == [1, 2, 3, 4, 5, 6]
    assert [a.date() for a in arrivals(plan)] == [
        date(2026, 1, 6) + timedelta(weeks=3 * i) for i in range(6)
    ]
    assert {a.time() for a in arrivals(plan)} == {time(10)}
    assert [p.gap_days for p in plan] == [None, 21, 21, 21, 21, 21]
    assert plan[0].reason == "The first preferred day on or after the start."
    assert plan[1].reason == "3 weeks after session 1, as targeted."


def test_local_time_is_kept_across_daylight_saving_changes():
    # From February into April: London moves from GMT (UTC+0) to BST (UTC+1) on 29 March.
    plan = plan_series(FakeCalendar(), request(start_on=date(2026, 2, 1), sessions=4))
    assert {a.time() for a in arrivals(plan)} == {time(10)}
    utc_hours = [p.slot.arrives_at.astimezone(UTC).hour for p in plan]
    assert utc_hours == [10, 10, 10, 9]  # 3 Feb, 24 Feb, 17 Mar, 7 Apr
    assert all(p.slot.arrives_at.tzinfo is UTC for p in plan)


def test_autumn_change_keeps_ten_oclock_too():
    plan = plan_series(FakeCalendar(), request(start_on=date(2026, 10, 1), sessions=4))
    assert {a.time() for a in arrivals(plan)} == {time(10)}
    # 6 Oct (BST), then 27 Oct, 17 Nov, 8 Dec (GMT, after the change on 25 October)
    assert [p.slot.arrives_at.astimezone(UTC).hour for p in plan] == [9, 10, 10, 10]


def test_closure_moves_the_session_to_the_nearest_open_day_and_says_why():
    calendar = FakeCalendar(closures={date(2026, 1, 27): "Staff training"})
    plan = plan_series(calendar, request())
    assert arrivals(plan)[1].date() == date(2026, 1, 28)  # a day later beats a day earlier
    assert plan[1].gap_days == 22
    assert "the clinic is closed (Staff training)" in plan[1].reason
    # Back on Tuesday: 20 days after the detour keeps the gap inside the rules.
    assert arrivals(plan)[2].date() == date(2026, 2, 17)
    assert plan[2].reason == "On the preferred Tuesday, 2.9 weeks after session 2 (target 3 weeks)."
    assert [a.weekday() for a in arrivals(plan)[3:]] == [1, 1, 1]


def test_practitioner_absence_moves_the_session():
    away = Interval(local(date(2026, 1, 26), 0), local(date(2026, 1, 28), 0))
    plan = plan_series(FakeCalendar(absences=[away]), request())
    assert arrivals(plan)[1].date() == date(2026, 1, 28)
    assert "the practitioner is away" in plan[1].reason


def test_day_the_practitioner_does_not_work_is_skipped():
    calendar = FakeCalendar()
    calendar.working = dict.fromkeys((0, 2, 3, 4), WEEKDAY_HOURS)  # not on Tuesdays
    plan = plan_series(calendar, request(sessions=4))
    assert all(a.weekday() != 1 for a in arrivals(plan))
    assert "does not work that day" in plan[0].reason


def test_busy_practitioner_gives_the_nearest_free_time():
    busy = span(date(2026, 1, 6), 9, 30, 10, 45)
    plan = plan_series(FakeCalendar(practitioner=[busy]), request(sessions=4))
    first = arrivals(plan)[0]
    assert first == local(date(2026, 1, 6), 10, 45)
    assert "10:00 was not free, 10:45 is the nearest" in plan[0].reason


def test_cream_phase_leaves_practitioner_and_room_free():
    # Another patient's procedure 10:00-10:20 overlaps only this patient's cream time.
    busy = span(date(2026, 1, 6), 10, 0, 10, 20)
    calendar = FakeCalendar(practitioner=[busy], rooms={1: [busy]})
    plan = plan_series(calendar, request(sessions=4, cream_minutes=20))
    slot = plan[0].slot
    assert slot.arrives_at.astimezone(LONDON) == local(date(2026, 1, 6), 10)
    assert slot.procedure_starts_at - slot.arrives_at == timedelta(minutes=20)
    assert slot.procedure_ends_at - slot.procedure_starts_at == timedelta(minutes=45)
    assert slot.room_id == 1


def test_a_free_room_is_found_and_kept_for_later_sessions():
    busy = span(date(2026, 1, 6), 9, 0, 12, 0)
    plan = plan_series(FakeCalendar(rooms={1: [busy], 2: []}), request(sessions=4))
    assert [p.slot.room_id for p in plan] == [2, 2, 2, 2]
    assert arrivals(plan)[0].time() == time(10)


def test_patient_busy_during_the_visit_is_avoided():
    busy = span(date(2026, 1, 6), 10, 30, 11, 0)
    plan = plan_series(FakeCalendar(patient=[busy]), request(sessions=4))
    assert arrivals(plan)[0] == local(date(2026, 1, 6), 9, 45)  # ends as the other visit starts


def test_visit_must_fit_opening_hours_including_cream():
    calendar = FakeCalendar()
    plan = plan_series(calendar, request(sessions=4, preferred_time=time(17, 30), cream_minutes=20))
    # 17:30 + 20 min cream + 45 min would end after 18:00; 16:45 is the latest that fits.
    assert arrivals(plan)[0] == local(date(2026, 1, 6), 16, 45)
    assert plan[0].slot.procedure_ends_at.astimezone(LONDON).time() == time(17, 50)


def test_no_slot_in_the_window_names_the_session_and_window():
    calendar = FakeCalendar()
    full_until = date(2026, 3, 31)
    calendar.closures = {
        date(2026, 1, 20) + timedelta(days=i): "Refurbishment"
        for i in range((full_until - date(2026, 1, 20)).days)
    }
    with pytest.raises(NoSlotError) as error:
        plan_series(calendar, request())
    assert error.value.number == 2
    assert error.value.window_start == date(2026, 1, 20)
    assert error.value.window_end == date(2026, 2, 17)
    assert "Session 2 has no free slot" in str(error.value)


def test_target_below_minimum_is_clamped_into_the_window():
    plan = plan_series(FakeCalendar(), request(sessions=4, target_gap_days=7))
    assert [p.gap_days for p in plan[1:]] == [14, 14, 14]


def test_window_search_tries_nearest_days_first():
    days = candidate_days(date(2026, 1, 10), date(2026, 1, 8), date(2026, 1, 12))
    assert days == [
        date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 9), date(2026, 1, 12),
        date(2026, 1, 8),
    ]  # fmt: skip


def test_only_the_days_needed_are_read():
    calendar = FakeCalendar()
    plan_series(calendar, request())
    assert len(calendar.asked) == 6


def test_local_time_skipped_by_the_clocks_is_refused():
    assert local_datetime(date(2026, 3, 29), time(1, 30), LONDON) is None
    assert local_datetime(date(2026, 3, 29), time(2, 30), LONDON) is not None


def test_continues_a_series_after_a_given_day_with_its_own_gaps():
    plan = plan_series(
        FakeCalendar(), request(), count=2, first_number=4, previous_day=date(2026, 3, 3),
        target_gaps=[28, 35],
    )  # fmt: skip
    assert [p.number for p in plan] == [4, 5]
    assert [a.date() for a in arrivals(plan)] == [date(2026, 3, 31), date(2026, 5, 5)]


@pytest.mark.parametrize(
    ("start", "end", "clashes"),
    [
        ((9, 0), (10, 0), False),  # ends as the first busy span starts
        ((9, 30), (10, 15), True),
        ((11, 0), (11, 30), True),  # inside the long span that overlaps the short one
        ((12, 0), (12, 30), False),  # starts as the long span ends
        ((12, 30), (13, 0), False),
    ],
)
def test_busy_index_finds_clashes_with_overlapping_spans(start, end, clashes):
    day = date(2026, 1, 6)
    busy = Busy([span(day, 10, 0, 12, 0), span(day, 10, 30, 11, 0)])
    assert busy.clashes(span(day, *start, *end)) is clashes


DEC_2026_FRIDAY = {"start_on": date(2026, 11, 23), "preferred_weekday": 4}  # Fri 27 Nov first


@pytest.mark.parametrize(
    ("target", "closed", "expected"),
    [
        # The case: Fri 18 Dec closed, session 2 on Thu 17 Dec; Fri 8 Jan is back.
        (21, [18], [date(2026, 11, 27), date(2026, 12, 17), date(2027, 1, 8), date(2027, 1, 29)]),
        # A later detour (Mon 21 Dec) comes back on the Friday before the target.
        (21, [16, 17, 18], [date(2026, 11, 27), date(2026, 12, 21), date(2027, 1, 8),
                            date(2027, 1, 29)]),
        # Target at the minimum: after a Monday detour the Friday before is under the
        # minimum, so the course comes back on the Friday after (18 days, inside the rules).
        (14, [9, 10, 11], [date(2026, 11, 27), date(2026, 12, 14), date(2027, 1, 1),
                           date(2027, 1, 15)]),
    ],
)  # fmt: skip
def test_a_detour_returns_to_the_preferred_weekday_as_soon_as_the_rules_allow(
    target, closed, expected
):
    calendar = FakeCalendar(closures={date(2026, 12, day): "Holiday" for day in closed})
    plan = plan_series(calendar, request(sessions=4, target_gap_days=target, **DEC_2026_FRIDAY))
    assert [a.date() for a in arrivals(plan)] == expected
    assert {a.time() for a in arrivals(plan)} == {time(10)}


def test_the_return_to_the_preferred_weekday_is_explained():
    calendar = FakeCalendar(closures={date(2026, 12, 18): "Holiday"})
    plan = plan_series(calendar, request(sessions=3, **DEC_2026_FRIDAY))
    assert "1 day earlier than Fri 18 Dec: the clinic is closed (Holiday)" in plan[1].reason
    assert plan[2].reason == "On the preferred Friday, 3.1 weeks after session 2 (target 3 weeks)."
    assert "as targeted" not in plan[2].reason


@pytest.mark.parametrize(
    ("previous", "target", "first", "last", "weekday", "ideal"),
    [
        (date(2026, 12, 17), 21, 14, 42, 4, date(2027, 1, 8)),  # Thu + 3 weeks: the Friday after
        (date(2026, 12, 19), 21, 14, 42, 4, date(2027, 1, 8)),  # Sat + 3 weeks: the Friday before
        (date(2026, 12, 19), 14, 14, 42, 4, date(2027, 1, 8)),  # Fri 1 Jan: under the minimum
        (date(2026, 12, 19), 14, 14, 16, 4, date(2027, 1, 2)),  # no Friday in the window
        (date(2026, 12, 17), 21, 14, 42, None, date(2027, 1, 7)),  # no preferred weekday
        (date(2026, 12, 17), 7, 14, 42, None, date(2026, 12, 31)),  # target under the minimum
    ],
)
def test_ideal_next_day_keeps_the_weekday_inside_the_gap_rules(
    previous, target, first, last, weekday, ideal
):
    window = (previous + timedelta(days=first), previous + timedelta(days=last))
    assert ideal_next_day(previous, target, *window, weekday) == ideal


def test_nothing_is_proposed_before_now():
    now = local(date(2026, 1, 6), 10, 5)  # Tuesday, just after the preferred 10:00
    plan = plan_series(FakeCalendar(), request(sessions=4, not_before=now))
    assert arrivals(plan)[0] == local(date(2026, 1, 6), 10, 15)
    assert "10:00 has passed, 10:15 is the nearest" in plan[0].reason


def test_a_window_that_has_passed_is_named_not_searched():
    calendar = FakeCalendar()
    now = local(date(2026, 3, 2), 9)
    with pytest.raises(NoSlotError) as error:
        plan_series(
            calendar, request(not_before=now), count=1, first_number=7,
            previous_day=date(2026, 1, 6),
        )  # fmt: skip
    assert (error.value.window_start, error.value.window_end) == (
        date(2026, 1, 20),
        date(2026, 2, 17),
    )
    assert calendar.asked == []
