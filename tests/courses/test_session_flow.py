from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from courses import session_flow as flow
from courses.statuses import SessionStatus

S = SessionStatus
ALL = [S.SCHEDULED, S.CONFIRMED, S.CHECKED_IN, S.CREAM_ON, S.CREAM_OFF, S.IN_PROCEDURE,
       S.COMPLETED, S.STOPPED, S.NO_SHOW, S.CANCELLED]  # fmt: skip
# The whole table of moves, written out: every other (from, to) pair is refused.
ALLOWED = {
    (S.SCHEDULED, S.CONFIRMED), (S.SCHEDULED, S.CHECKED_IN),
    (S.SCHEDULED, S.NO_SHOW), (S.SCHEDULED, S.CANCELLED),
    (S.CONFIRMED, S.SCHEDULED),  # moved to another time: to be confirmed again
    (S.CONFIRMED, S.CHECKED_IN), (S.CONFIRMED, S.NO_SHOW),
    (S.CONFIRMED, S.CANCELLED), (S.CHECKED_IN, S.CREAM_ON),
    (S.CHECKED_IN, S.IN_PROCEDURE), (S.CREAM_ON, S.CREAM_OFF),
    (S.CREAM_OFF, S.IN_PROCEDURE), (S.IN_PROCEDURE, S.COMPLETED),
    (S.IN_PROCEDURE, S.STOPPED),
}  # fmt: skip


def test_the_table_covers_every_session_status_and_only_those():
    assert list(SessionStatus) == ALL
    assert set(flow.MOVES) == set(SessionStatus)
    assert all(set(targets) <= set(SessionStatus) for targets in flow.MOVES.values())


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_transition_is_allowed_or_refused_clearly(current, target):
    if (current, target) in ALLOWED:
        flow.check_move(current, target)
    else:
        with pytest.raises(flow.FlowError) as error:
            flow.check_move(current, target)
        assert error.value.code == "invalid_move"
        assert current.replace("_", " ") in error.value.message


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_move_changes_the_status_only_when_the_table_allows(current, target):
    session = SimpleNamespace(status=str(current))  # as read from the database
    if (current, target) in ALLOWED:
        flow.move(session, target)
        assert session.status == target
    else:
        with pytest.raises(flow.FlowError):
            flow.move(session, target)
        assert session.status == current


@pytest.mark.parametrize(
    ("current", "after"),
    [(S.SCHEDULED, S.SCHEDULED), (S.CONFIRMED, S.SCHEDULED), (S.CHECKED_IN, None),
     (S.CANCELLED, None), (S.NO_SHOW, None), (S.COMPLETED, None)],
)  # fmt: skip
def test_a_moved_session_is_scheduled_again_and_only_an_open_one_moves(current, after):
    session = SimpleNamespace(status=current)
    if after is None:
        with pytest.raises(flow.FlowError):
            flow.reopen_after_move(session)
        assert session.status == current
    else:
        flow.reopen_after_move(session)
        assert session.status == after


ON = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (timedelta(minutes=19, seconds=59, microseconds=999_999), False),
        (timedelta(minutes=20), True),
        (timedelta(minutes=25), True),
        (timedelta(0), False),
    ],
)
def test_wash_off_exactly_at_twenty_minutes(after, allowed):
    if allowed:
        flow.check_wash_off(ON, ON + after, 20)
    else:
        with pytest.raises(flow.FlowError) as error:
            flow.check_wash_off(ON, ON + after, 20)
        assert error.value.code == "cream_too_early"
        assert "10:20:00" in error.value.message


def test_wash_off_message_counts_the_time_left():
    with pytest.raises(flow.FlowError) as error:
        flow.check_wash_off(ON, ON + timedelta(minutes=12, seconds=30), 20)
    assert "7 min 30 s left" in error.value.message


@pytest.mark.parametrize(
    ("current", "cream", "antiseptic", "device", "code"),
    [
        (S.CHECKED_IN, True, True, True, "cream_required"),
        (S.CREAM_ON, True, True, True, "cream_required"),
        (S.CREAM_OFF, True, False, True, "antiseptic_before"),
        (S.CREAM_OFF, True, True, False, "device_missing"),
        (S.CREAM_OFF, True, True, True, None),
        (S.CHECKED_IN, False, True, True, None),
        (S.SCHEDULED, False, True, True, "invalid_move"),
    ],
)
def test_needling_starts_only_when_ready(current, cream, antiseptic, device, code):
    kwargs = {"cream_required": cream, "antiseptic_before": antiseptic, "device_chosen": device}
    if code is None:
        flow.check_start(current, **kwargs)
    else:
        with pytest.raises(flow.FlowError) as error:
            flow.check_start(current, **kwargs)
        assert error.value.code == code


def zone(name, h=7, v=7, d=7, note=""):
    return flow.ZonePasses(name, h, v, d, note)


@pytest.mark.parametrize(
    ("zones", "reason", "outcome"),
    [
        ([zone("forehead"), zone("cheeks")], "", S.COMPLETED),
        ([zone("forehead", v=9)], "", "passes_over"),
        ([zone("forehead", v=9, note="Scar needed more work")], "", S.COMPLETED),
        ([zone("forehead", v=5)], "Patient asked to stop", S.STOPPED),
        ([zone("forehead", v=5)], "", "passes_incomplete"),
        ([zone("forehead"), zone("chin", d=6)], "  ", "passes_incomplete"),
        ([], "", "no_zones"),
    ],
)
def test_seven_pass_completeness(zones, reason, outcome):
    if outcome in (S.COMPLETED, S.STOPPED):
        assert (
            flow.check_finish(zones, required=7, antiseptic_after=True, stop_reason=reason)
            == outcome
        )
    else:
        with pytest.raises(flow.FlowError) as error:
            flow.check_finish(zones, required=7, antiseptic_after=True, stop_reason=reason)
        assert error.value.code == outcome


def test_finish_needs_antiseptic_after():
    with pytest.raises(flow.FlowError) as error:
        flow.check_finish([zone("forehead")], required=7, antiseptic_after=False, stop_reason="")
    assert error.value.code == "antiseptic_after"


def test_incomplete_zones_say_what_is_missing():
    missing = flow.incomplete_zones([zone("forehead", v=5, d=6), zone("chin")], required=7)
    assert missing == ["forehead (vertical 5/7, diagonal 6/7)"]


TUESDAY = date(2026, 1, 6)
EARLIER_OPEN = [flow.EarlierSession(1, date(2025, 12, 16), S.SCHEDULED)]
EARLIER_TODAY = [flow.EarlierSession(1, TUESDAY, S.CREAM_ON)]  # e.g. moved to the same day
LEFT_UNFINISHED = [flow.EarlierSession(1, date(2025, 12, 16), S.CHECKED_IN)]


@pytest.mark.parametrize(
    ("today", "earlier", "code", "words"),
    [
        (TUESDAY, [], None, ""),
        (TUESDAY - timedelta(days=1), [], "not_its_day", "booked for Tue 06 Jan 2026, not today"),
        (TUESDAY - timedelta(weeks=7), [], "not_its_day", "move the session to today first"),
        (TUESDAY + timedelta(days=1), [], "not_its_day", "that day has passed"),
        (TUESDAY, EARLIER_OPEN, "earlier_session_open", "Session 1 of this course"),
        (TUESDAY, EARLIER_TODAY, "earlier_session_open", "is cream on, not finished"),
        (TUESDAY, LEFT_UNFINISHED, None, ""),  # its day is over: it can no longer hold up
        (TUESDAY + timedelta(days=1), EARLIER_OPEN, "not_its_day", "that day has passed"),
    ],
)
def test_a_session_runs_on_its_booked_day_after_the_earlier_ones(today, earlier, code, words):
    if code is None:
        flow.check_session_day(booked_on=TUESDAY, today=today, unfinished_earlier=earlier)
        return
    with pytest.raises(flow.FlowError) as error:
        flow.check_session_day(booked_on=TUESDAY, today=today, unfinished_earlier=earlier)
    assert error.value.code == code
    assert words in error.value.message


def test_an_open_earlier_session_is_named_with_its_day_and_state():
    with pytest.raises(flow.FlowError) as error:
        flow.check_session_day(booked_on=TUESDAY, today=TUESDAY, unfinished_earlier=EARLIER_OPEN)
    assert "Session 1 of this course (Tue 16 Dec 2025) is scheduled, not finished" in (
        error.value.message
    )


C, W, A, P, R = flow.CREAM, flow.WASH_OFF, flow.ANTISEPTIC_BEFORE, flow.PRODUCT, flow.ROLLING
AFTER = flow.ANTISEPTIC_AFTER


@pytest.mark.parametrize(
    ("step", "done", "cream_used", "code"),
    [
        (C, set(), True, None),
        (C, {A}, False, "out_of_order"),  # antiseptic before the cream: refused
        (A, set(), True, "cream_required"),  # cream needed, not on yet
        (A, {C}, True, "cream_required"),  # cream on, not washed off
        (A, {C, W}, True, None),
        (A, set(), False, None),  # no cream used
        (W, {C, A}, True, "out_of_order"),
        (P, {C, W}, True, "antiseptic_before"),
        (P, {C, W, A}, True, None),
        (P, {A}, False, None),
        (R, {A}, False, "device_missing"),
        (R, {A, P}, False, None),
        (R, {A, P, R, AFTER}, False, "out_of_order"),  # no rolling after the last antiseptic
        (AFTER, {A, P}, False, "no_zones"),
        (AFTER, {A, P, R}, False, None),
        (AFTER, {C, A, P, R}, True, "cream_required"),  # cream used but never washed off
    ],
)
def test_the_procedure_steps_follow_the_fixed_order(step, done, cream_used, code):
    if code is None:
        flow.check_order(step, done=done, cream_used=cream_used)
        return
    with pytest.raises(flow.FlowError) as error:
        flow.check_order(step, done=done, cream_used=cream_used)
    assert error.value.code == code
    assert "cream (when needed), wash-off, antiseptic, product, rolling, antiseptic" in (
        error.value.message
    )


@pytest.mark.parametrize(
    ("passes", "code"),
    [
        (zone("forehead"), None),
        (zone("forehead", v=4), None),  # short: allowed, finishing asks for a reason
        (zone("forehead", h=8), "passes_over"),
        (zone("forehead", d=9, note="   "), "passes_over"),
        (zone("forehead", d=9, note="Deep scar, one more round"), None),
        (zone("  "), "zone_missing"),
    ],
)
def test_more_passes_than_the_protocol_need_a_note(passes, code):
    if code is None:
        flow.check_passes(passes, required=7)
        return
    with pytest.raises(flow.FlowError) as error:
        flow.check_passes(passes, required=7)
    assert error.value.code == code


def test_over_zones_say_what_was_exceeded():
    assert flow.over_zones([zone("forehead", h=9), zone("chin")], required=7) == [
        "forehead (horizontal 9/7)"
    ]


DAY = date(2026, 1, 6)


@pytest.mark.parametrize(
    ("status", "booked_on", "allowed"),
    [
        (SessionStatus.SCHEDULED, DAY, True),  # before photos on the day, before check-in
        (SessionStatus.CONFIRMED, DAY, True),
        (SessionStatus.SCHEDULED, DAY + timedelta(days=1), False),  # tomorrow's session
        (SessionStatus.CONFIRMED, DAY - timedelta(days=1), False),  # a day passed, never begun
        (SessionStatus.CHECKED_IN, DAY, True),
        (SessionStatus.IN_PROCEDURE, DAY, True),
        (SessionStatus.COMPLETED, DAY - timedelta(days=30), True),  # a follow-up photo
        (SessionStatus.STOPPED, DAY - timedelta(days=1), True),
        (SessionStatus.CANCELLED, DAY, False),
        (SessionStatus.NO_SHOW, DAY, False),
    ],
)
def test_photos_belong_to_a_session_that_began_or_is_on_its_day(status, booked_on, allowed):
    refusal = flow.photo_refusal(status=status, booked_on=booked_on, today=DAY)
    assert (refusal is None) == allowed
