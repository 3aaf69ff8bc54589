"""The pure home-care rules (DOMAIN.md, "Home care"): no database, fixed clock."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from patients import home_rules
from patients.home_rules import HomeCareError

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
SESSION = datetime(2026, 1, 27, 10, 0, tzinfo=UTC)
LOW, HIGH = Decimal("0.15"), Decimal("0.50")


@pytest.mark.parametrize("needle", ["0.15", "0.2", "0.35", "0.50"])
def test_a_needle_in_the_home_range_is_accepted(needle):
    home_rules.check_needle(Decimal(needle), LOW, HIGH)


@pytest.mark.parametrize("needle", ["0", "0.10", "0.14", "0.51", "1.0", "2.0"])
def test_a_needle_outside_the_home_range_is_refused(needle):
    with pytest.raises(HomeCareError) as refused:
        home_rules.check_needle(Decimal(needle), LOW, HIGH)
    assert refused.value.code == "needle_range"


def test_the_range_is_the_callers_not_a_literal():
    home_rules.check_needle(Decimal("0.6"), Decimal("0.1"), Decimal("0.6"))
    with pytest.raises(HomeCareError):
        home_rules.check_needle(Decimal("0.15"), Decimal("0.2"), Decimal("0.5"))


@pytest.mark.parametrize(
    ("uses", "worn_after", "left", "worn"),
    [(0, 8, 8, False), (7, 8, 1, False), (8, 8, 0, True), (9, 8, 0, True), (5, 6, 1, False),
     (6, 6, 0, True), (0, 1, 1, False), (1, 1, 0, True)],
)  # fmt: skip
def test_uses_left_and_worn(uses, worn_after, left, worn):
    assert home_rules.uses_left(uses, worn_after) == left
    assert home_rules.is_worn(uses, worn_after) is worn


def test_a_worn_roller_takes_no_more_uses():
    home_rules.check_can_log(7, 8)
    with pytest.raises(HomeCareError) as refused:
        home_rules.check_can_log(8, 8)
    assert refused.value.code == "worn"


@pytest.mark.parametrize(
    ("used_at", "code"),
    [
        (NOW + timedelta(minutes=1), "future"),
        (NOW + timedelta(days=400), "future"),
        (datetime(2026, 1, 10, 9, 59, tzinfo=UTC), "before_recommendation"),
        (datetime(2025, 1, 10, tzinfo=UTC), "before_recommendation"),
        (NOW, None),
        (datetime(2026, 1, 10, 10, 0, tzinfo=UTC), None),  # the recommendation's own minute
        (datetime(2026, 1, 15, tzinfo=UTC), None),
    ],
)
def test_a_use_happened_after_the_recommendation_and_not_in_the_future(used_at, code):
    recommended_at = datetime(2026, 1, 10, 10, 0, 40, tzinfo=UTC)
    if code is None:
        home_rules.check_use_time(used_at, now=NOW, recommended_at=recommended_at)
        return
    with pytest.raises(HomeCareError) as refused:
        home_rules.check_use_time(used_at, now=NOW, recommended_at=recommended_at)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("offset", "quiet_days", "inside"),
    [
        (timedelta(days=-7), 7, False),  # exactly 7 days before: outside
        (timedelta(days=-7) + timedelta(minutes=1), 7, True),
        (timedelta(days=-1), 7, True),
        (timedelta(0), 7, True),
        (timedelta(days=6, hours=23), 7, True),
        (timedelta(days=7), 7, False),  # exactly 7 days after: outside
        (timedelta(days=8), 7, False),
        (timedelta(days=-3), 2, False),
        (timedelta(days=-1), 2, True),
        (timedelta(0), 0, False),  # no quiet days set
    ],
)
def test_quiet_days_around_a_session(offset, quiet_days, inside):
    conflict = home_rules.quiet_conflict(SESSION + offset, [SESSION], quiet_days)
    assert (conflict is not None) is inside
    if inside:
        assert conflict.session_at == SESSION


def test_the_nearest_session_names_the_conflict():
    later = SESSION + timedelta(days=10)
    moment = SESSION + timedelta(days=6)
    conflict = home_rules.quiet_conflict(moment, [later, SESSION], 7)
    assert conflict.session_at == later  # 4 days before the later one, 6 after the first


def test_quiet_periods_still_to_show_are_those_not_over():
    past = NOW - timedelta(days=20)
    recent = NOW - timedelta(days=3)
    shown = home_rules.periods_to_show([SESSION, past, recent], 7, now=NOW)
    assert [p.session_at for p in shown] == [recent, SESSION]
    assert shown[1].start == SESSION - timedelta(days=7)
    assert shown[1].end == SESSION + timedelta(days=7)
