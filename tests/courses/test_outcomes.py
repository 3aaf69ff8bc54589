"""Grading scales, improvement and the outcome chart's layout (courses.outcomes): pure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses import outcomes
from courses.outcomes import SCALES, Scale


@pytest.mark.parametrize(
    ("scale", "grade", "ok"),
    [
        (Scale.GOODMAN_BARON, 0, False), (Scale.GOODMAN_BARON, 1, True),
        (Scale.GOODMAN_BARON, 4, True), (Scale.GOODMAN_BARON, 5, False),
        (Scale.WRINKLE_SEVERITY, 0, False), (Scale.WRINKLE_SEVERITY, 1, True),
        (Scale.WRINKLE_SEVERITY, 5, True), (Scale.WRINKLE_SEVERITY, 6, False),
        (Scale.SCORE, -1, False), (Scale.SCORE, 0, True), (Scale.SCORE, 10, True),
        (Scale.SCORE, 11, False), (Scale.SCORE, True, False), (Scale.SCORE, "3", False),
        (Scale.SCORE, 3.0, False), (Scale.SCORE, None, False),
    ],
)  # fmt: skip
def test_a_grade_is_a_whole_number_inside_its_scale(scale, grade, ok):
    assert (outcomes.grade_error(scale, grade) is None) == ok


def test_an_unknown_scale_is_refused_with_a_reason():
    assert "no grading scale" in outcomes.grade_error("made-up", 2)


@pytest.mark.parametrize(("score", "ok"), [(-1, False), (0, True), (10, True), (11, False),
                                           (False, False), ("7", False)])  # fmt: skip
def test_satisfaction_runs_from_zero_to_ten(score, ok):
    assert (outcomes.satisfaction_error(score) is None) == ok


@pytest.mark.parametrize(
    ("baseline", "latest", "gain"), [(4, 2, 2), (3, 3, 0), (2, 3, -1), (None, 2, None),
                                     (3, None, None)],
)  # fmt: skip
def test_improvement_is_the_baseline_minus_the_latest_grade(baseline, latest, gain):
    assert outcomes.improvement(baseline, latest) == gain


@pytest.mark.parametrize(
    ("code", "scale"), [("scars", Scale.GOODMAN_BARON), ("wrinkles", Scale.WRINKLE_SEVERITY),
                        ("hyperpigmentation", Scale.SCORE), ("stretch-marks", Scale.SCORE),
                        ("hair-loss", Scale.SCORE)],
)  # fmt: skip
def test_each_indication_has_the_scale_domain_md_names(code, scale):
    assert outcomes.default_scale(code) == scale


def test_the_scales_name_their_grades():
    assert SCALES[Scale.GOODMAN_BARON].meaning(1) == "macular"
    assert SCALES[Scale.GOODMAN_BARON].meaning(4) == "severe"
    assert SCALES[Scale.WRINKLE_SEVERITY].meaning(5) == "extreme"
    assert SCALES[Scale.SCORE].meaning(5) == ""


def _value_at(y: float, low: int, high: int) -> float:
    """The chart's y back into a value of the axis ``low``-``high``."""
    plot = outcomes.HEIGHT - outcomes.TOP - outcomes.BOTTOM
    return low + (outcomes.TOP + plot - y) * (high - low) / plot


grades_and_scores = st.sampled_from(list(Scale)).flatmap(
    lambda scale: st.tuples(
        st.just(scale),
        st.lists(st.one_of(st.none(), st.integers(SCALES[scale].low, SCALES[scale].high)),
                 min_size=1, max_size=8),
        st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=8, max_size=8),
    )
)  # fmt: skip


@given(grades_and_scores)
def test_the_charts_points_are_the_recorded_figures(case):
    """Every recorded grade and score is a point at its own height, in visit order; a visit
    without one has no point."""
    scale, grades, scores = case
    spec = SCALES[scale]
    scores = scores[: len(grades)]
    visits = [f"v{i}" for i in range(len(grades))]
    chart = outcomes.outcome_chart(visits, grades, scores, spec)
    assert [p.value for p in chart.grades] == [g for g in grades if g is not None]
    assert [p.value for p in chart.satisfaction] == [s for s in scores if s is not None]
    for point in chart.grades:
        assert _value_at(point.y, spec.low, spec.high) == pytest.approx(point.value, abs=0.01)
    for point in chart.satisfaction:
        assert _value_at(point.y, 0, 10) == pytest.approx(point.value, abs=0.01)
    xs = [x for x, _ in chart.labels]
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)
    assert all(outcomes.LEFT <= x <= outcomes.WIDTH - outcomes.RIGHT for x in xs)


def test_the_chart_path_joins_the_grades_in_order():
    chart = outcomes.outcome_chart(["b", "1", "2"], [4, 3, 2], [None, 6, 8],
                                   SCALES[Scale.GOODMAN_BARON])  # fmt: skip
    assert chart.grade_path.startswith(f"M{chart.grades[0].x},{chart.grades[0].y} L")
    assert chart.grade_path.count("L") == 2
    assert chart.satisfaction_path.count("L") == 1
    assert chart.grades[0].y < chart.grades[-1].y  # a higher number is drawn higher
