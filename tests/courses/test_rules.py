from datetime import date
from decimal import Decimal

import pytest

from courses import rules

R = rules.TreatmentRules()
D = Decimal


@pytest.mark.parametrize(
    ("needle", "weeks"),
    [
        ("0.15", 2), ("0.3", 2), ("0.5", 2), ("0.51", 3), ("0.75", 3), ("1.0", 3),
        ("1.01", 4), ("1.5", 4), ("1.75", 5), ("2.0", 5), ("2.5", 5),
    ],
)  # fmt: skip
def test_minimum_gap_grows_with_needle_length(needle, weeks):
    assert rules.minimum_gap_weeks(R, D(needle)) == weeks


@pytest.mark.parametrize(
    ("needle", "required"), [("0.5", False), ("0.99", False), ("1.0", True), ("2.0", True)]
)
def test_cream_required_from_one_millimetre(needle, required):
    assert rules.needs_cream(R, D(needle)) is required
    assert rules.cream_minutes(R, D(needle)) == (20 if required else 0)


@pytest.mark.parametrize(
    ("needle", "gap_days", "code"),
    [
        ("0.5", 13, "gap_below_minimum"),
        ("0.5", 14, None),
        ("1.0", 20, "gap_below_minimum"),
        ("1.0", 21, None),
        ("1.5", 27, "gap_below_minimum"),
        ("1.5", 28, None),
        ("2.0", 34, "gap_below_minimum"),
        ("2.0", 35, None),
        ("0.5", 42, None),
        ("0.5", 43, "gap_above_maximum"),
        ("2.0", 43, "gap_above_maximum"),
    ],
)
def test_gap_window_by_needle(needle, gap_days, code):
    found = rules.check_gap_days(R, D(needle), gap_days)
    assert [v.code for v in found] == ([code] if code else [])
    assert all(v.overridable and v.message for v in found)


@pytest.mark.parametrize(("count", "ok"), [(3, False), (4, True), (6, True), (7, False)])
def test_course_has_four_to_six_sessions(count, ok):
    found = rules.check_session_count(R, count)
    assert (found == []) is ok
    assert all(v.code == "session_count" and not v.overridable for v in found)


@pytest.mark.parametrize(
    ("needle", "low", "high", "ok"),
    [("0.5", "0.3", "1.0", True), ("0.3", "0.3", "1.0", True), ("1.0", "0.3", "1.0", True),
     ("1.5", "0.3", "1.0", False), ("0.2", "0.3", "1.0", False), ("0.5", "0.5", "0.5", True),
     ("1.0", "0.5", "0.5", False)],
)  # fmt: skip
def test_needle_must_fit_the_area(needle, low, high, ok):
    found = rules.check_needle(D(needle), D(low), D(high), "Face")
    assert (found == []) is ok
    assert all(v.code == "needle_out_of_range" and v.overridable for v in found)


def test_written_reason_overrides_only_overridable_rules():
    violations = [
        rules.RuleViolation("gap_below_minimum", "short", overridable=True),
        rules.RuleViolation("session_count", "too many"),
    ]
    left = rules.unresolved(
        violations, {"gap_below_minimum": "Patient travels", "session_count": "x"}
    )
    assert [v.code for v in left] == ["session_count"]
    assert rules.unresolved(violations[:1], {"gap_below_minimum": "   "}) == violations[:1]


def test_clinic_edited_numbers_change_the_rules():
    custom = rules.TreatmentRules(
        cream_from_mm=D("1.5"), cream_minutes=30, max_gap_weeks=8,
        minimum_gaps=((D("1.0"), 1), (D("2.0"), 2)),
    )  # fmt: skip
    assert not rules.needs_cream(custom, D("1.0"))
    assert rules.cream_minutes(custom, D("1.5")) == 30
    assert rules.gap_window_days(custom, D("1.5")) == (14, 56)


@pytest.mark.parametrize(("days", "text"), [(7, "1 week"), (14, "2 weeks"), (24, "3.4 weeks")])
def test_format_weeks(days, text):
    assert rules.format_weeks(days) == text


@pytest.mark.parametrize(
    ("day", "allow_past", "codes"),
    [
        (date(2026, 1, 7), False, []),
        (date(2026, 1, 6), False, ["date_in_past"]),
        (date(2026, 1, 6), True, []),
        (date(2025, 1, 6), True, []),  # a year back, the earliest: still inside the window
        (date(2025, 1, 5), True, ["date_out_of_range"]),
        (date(1, 1, 1), True, ["date_out_of_range"]),
        (date(2028, 1, 9), False, []),
        (date(2028, 1, 10), False, ["date_out_of_range"]),
        (date(9999, 12, 31), False, ["date_out_of_range"]),
    ],
)
def test_typed_dates_must_lie_in_the_sane_window(day, allow_past, codes):
    found = rules.check_typed_date(day, today=date(2026, 1, 7), allow_past=allow_past)
    assert [v.code for v in found] == codes


FACE_DAYS = (date(2026, 1, 6), date(2026, 1, 27), date(2026, 2, 17))


@pytest.mark.parametrize(
    ("needle", "other_needle", "days", "warned"),
    [
        ("0.5", "0.5", [date(2026, 1, 6)], "on the same day"),
        ("0.5", "0.5", [date(2026, 1, 20)], "1 week apart, closer than the 2-week minimum"),
        ("0.5", "1.0", [date(2026, 3, 3)], "2 weeks apart, closer than the 3-week minimum"),
        ("0.5", "0.5", [date(2026, 3, 3)], None),  # 2 weeks after the last: the minimum holds
        ("0.5", "0.5", [], None),
    ],
)
def test_courses_on_one_area_warn_when_closer_than_the_longer_needles_minimum(
    needle, other_needle, days, warned
):
    other = rules.OtherCourse("the other course", D(other_needle), FACE_DAYS)
    found = rules.interleave_warnings(R, needle_mm=D(needle), days=days, others=[other])
    if warned is None:
        assert found == []
    else:
        assert len(found) == 1
        assert warned in found[0]


@pytest.mark.parametrize(
    ("area", "fitting", "codes"),
    [
        ("Scalp", ["Scalp"], []),
        ("Hands", ["Scalp"], ["indication_area"]),
        ("Eyelids (periorbital)", ["Body (stretch marks, body scars)"], ["indication_area"]),
        ("Hands", [], []),  # the catalogue lists no areas: any area
    ],
)
def test_an_indication_is_treated_only_on_its_areas(area, fitting, codes):
    found = rules.check_indication_area("Thinning hair", area, fitting)
    assert [v.code for v in found] == codes
