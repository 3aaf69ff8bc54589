from datetime import UTC, datetime, timedelta

import pytest

from courses import session_flow as flow

ALL = [flow.SCHEDULED, flow.CONFIRMED, flow.CHECKED_IN, flow.CREAM_ON, flow.CREAM_OFF,
       flow.IN_PROCEDURE, flow.COMPLETED, flow.STOPPED, flow.NO_SHOW, flow.CANCELLED]  # fmt: skip
ALLOWED = {
    (flow.SCHEDULED, flow.CONFIRMED), (flow.SCHEDULED, flow.CHECKED_IN),
    (flow.SCHEDULED, flow.NO_SHOW), (flow.SCHEDULED, flow.CANCELLED),
    (flow.CONFIRMED, flow.CHECKED_IN), (flow.CONFIRMED, flow.NO_SHOW),
    (flow.CONFIRMED, flow.CANCELLED), (flow.CHECKED_IN, flow.CREAM_ON),
    (flow.CHECKED_IN, flow.IN_PROCEDURE), (flow.CREAM_ON, flow.CREAM_OFF),
    (flow.CREAM_OFF, flow.IN_PROCEDURE), (flow.IN_PROCEDURE, flow.COMPLETED),
    (flow.IN_PROCEDURE, flow.STOPPED),
}  # fmt: skip


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
        (flow.CHECKED_IN, True, True, True, "cream_required"),
        (flow.CREAM_ON, True, True, True, "cream_required"),
        (flow.CREAM_OFF, True, False, True, "antiseptic_before"),
        (flow.CREAM_OFF, True, True, False, "device_missing"),
        (flow.CREAM_OFF, True, True, True, None),
        (flow.CHECKED_IN, False, True, True, None),
        (flow.SCHEDULED, False, True, True, "invalid_move"),
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
        ([zone("forehead"), zone("cheeks")], "", flow.COMPLETED),
        ([zone("forehead", v=9)], "", "passes_over"),
        ([zone("forehead", v=9, note="Scar needed more work")], "", flow.COMPLETED),
        ([zone("forehead", v=5)], "Patient asked to stop", flow.STOPPED),
        ([zone("forehead", v=5)], "", "passes_incomplete"),
        ([zone("forehead"), zone("chin", d=6)], "  ", "passes_incomplete"),
        ([], "", "no_zones"),
    ],
)
def test_seven_pass_completeness(zones, reason, outcome):
    if outcome in (flow.COMPLETED, flow.STOPPED):
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
