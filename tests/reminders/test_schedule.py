from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from reminders import schedule

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
P = schedule.Policy()


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(tz, *args):
    return datetime(*args, tzinfo=tz).astimezone(UTC)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(20, 59, False), (21, 0, False), (21, 1, True), (23, 0, True), (3, 0, True),
     (7, 59, True), (8, 0, False), (12, 0, False)],
)  # fmt: skip
def test_quiet_hours_boundaries_are_allowed(hour, minute, quiet):
    assert schedule.in_quiet_hours(local(LONDON, 2026, 3, 10, hour, minute), LONDON, P) is quiet


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(LONDON, 2026, 3, 10, 23, 30), local(LONDON, 2026, 3, 10, 21, 0)),
        (local(LONDON, 2026, 3, 11, 6, 0), local(LONDON, 2026, 3, 10, 21, 0)),
        (local(LONDON, 2026, 3, 10, 15, 0), local(LONDON, 2026, 3, 10, 15, 0)),
    ],
)
def test_pre_session_message_in_quiet_hours_goes_at_the_last_allowed_time_before(moment, expected):
    assert schedule.last_allowed_before(moment, LONDON, P) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(LONDON, 2026, 3, 10, 23, 30), local(LONDON, 2026, 3, 11, 8, 0)),
        (local(LONDON, 2026, 3, 11, 6, 0), local(LONDON, 2026, 3, 11, 8, 0)),
    ],
)
def test_after_session_message_in_quiet_hours_goes_at_the_first_allowed_time_after(
    moment, expected
):
    assert schedule.first_allowed_after(moment, LONDON, P) == expected


def test_quiet_hours_follow_the_patients_zone_not_the_clinics():
    # 02:00 UTC is 21:00 in New York (allowed) but 02:00 in London (quiet).
    moment = utc(2026, 3, 5, 2, 0)
    assert not schedule.in_quiet_hours(moment, NEW_YORK, P)
    assert schedule.in_quiet_hours(moment, LONDON, P)


def test_reminders_48_and_2_hours_before():
    arrives = local(LONDON, 2026, 3, 12, 10, 0)
    due = schedule.reminder_due_times(arrives, LONDON, P, now=utc(2026, 3, 1))
    assert due == {
        "reminder_48h": local(LONDON, 2026, 3, 10, 10, 0),
        "reminder_2h": local(LONDON, 2026, 3, 12, 8, 0),
    }


@pytest.mark.parametrize(
    ("arrival", "now", "expected"),
    [
        # 2 h before is quiet (07:00): the first allowed time that morning, not 21:00 the day before
        ((12, 9, 0), (1, 12, 0), (12, 8, 0)),
        ((12, 8, 30), (1, 12, 0), (12, 8, 0)),
        ((12, 10, 0), (1, 12, 0), (12, 8, 0)),
        ((12, 12, 0), (1, 12, 0), (12, 10, 0)),
        # the first allowed time is the arrival itself: too late, no short reminder
        ((12, 8, 0), (1, 12, 0), None),
        ((12, 7, 30), (1, 12, 0), None),
        # a late evening visit: the last allowed time before, still on the day
        ((12, 23, 30), (1, 12, 0), (12, 21, 0)),
        # booked after the reminder time: now, as soon as quiet hours allow, on the day
        ((12, 9, 30), (12, 8, 45), (12, 8, 45)),
        ((12, 9, 0), (11, 23, 0), (12, 8, 0)),
        ((12, 9, 0), (12, 9, 0), None),
    ],
)
def test_short_reminder_goes_on_the_day_of_the_visit_never_the_evening_before(
    arrival, now, expected
):
    arrives = local(LONDON, 2026, 3, *arrival)
    due = schedule.reminder_due_times(arrives, LONDON, P, now=local(LONDON, 2026, 3, *now))
    assert due.get("reminder_2h") == (expected and local(LONDON, 2026, 3, *expected))
    if expected is not None:
        assert due["reminder_2h"].astimezone(LONDON).date() == arrives.astimezone(LONDON).date()


def test_due_times_across_the_spring_clock_change():
    # Tuesday 31 March 10:00 BST; 48 hours earlier is Sunday 29 March 10:00 BST (after the change).
    arrives = local(LONDON, 2026, 3, 31, 10, 0)
    due = schedule.reminder_due_times(arrives, LONDON, P, now=utc(2026, 3, 1))
    assert due["reminder_48h"] == arrives - timedelta(hours=48)
    assert due["reminder_48h"].astimezone(LONDON).time() == time(10, 0)


def test_aftercare_the_morning_after_across_the_autumn_change():
    ends = local(LONDON, 2026, 10, 24, 17, 0)  # Saturday; clocks go back on Sunday
    assert schedule.aftercare_due(ends, LONDON, P) == local(LONDON, 2026, 10, 25, 9, 0)
    assert schedule.aftercare_due(ends, LONDON, P) == utc(2026, 10, 25, 9, 0)


def test_overdue_full_reminder_goes_when_quiet_hours_end():
    arrives = local(LONDON, 2026, 3, 12, 15, 0)
    now = local(LONDON, 2026, 3, 11, 22, 0)  # quiet hours; 17 h before the session
    due = schedule.reminder_due_times(arrives, LONDON, P, now=now)
    assert due == {
        "reminder_48h": local(LONDON, 2026, 3, 12, 8, 0),
        "reminder_2h": local(LONDON, 2026, 3, 12, 13, 0),
    }


def test_late_booking_gets_one_reminder_not_two_at_once():
    arrives = local(LONDON, 2026, 3, 12, 15, 0)
    now = local(LONDON, 2026, 3, 12, 12, 30)
    due = schedule.reminder_due_times(arrives, LONDON, P, now=now)
    assert due == {"reminder_2h": local(LONDON, 2026, 3, 12, 13, 0)}


def test_reminder_too_late_to_be_useful_is_dropped():
    arrives = local(LONDON, 2026, 3, 12, 9, 0)
    now = local(LONDON, 2026, 3, 11, 23, 0)  # quiet until 08:00, session at 09:00
    due = schedule.reminder_due_times(arrives, LONDON, P, now=now)
    assert due == {"reminder_2h": local(LONDON, 2026, 3, 12, 8, 0)}
    assert schedule.reminder_due_times(arrives, LONDON, P, now=arrives) == {}


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 60), (2, 120), (3, 240), (10, 3600)])
def test_retry_backoff_doubles_up_to_a_cap(attempt, seconds):
    assert schedule.retry_delay(attempt, 60) == timedelta(seconds=seconds)
