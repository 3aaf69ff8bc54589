"""How a course is working: grading scales, improvement and the outcome chart (issue #19). Pure.

DOMAIN.md, "Outcomes": the effect is judged per indication on a named scale,
recorded at baseline and at each session. Atrophic acne scars: the Goodman and
Baron qualitative global scarring grade (1 macular to 4 severe); wrinkles: a
5-point wrinkle severity scale (1 absent to 5 extreme); pigmentation, stretch
marks, hair and the rest: a 0-10 practitioner score (0 none, 10 most marked).
Every practitioner scale grades severity, so a lower grade is better. The
patient adds their own satisfaction, 0 (not at all) to 10 (completely).

Which scale an indication uses is the clinic's setting (``Indication.outcome_scale``);
``DEFAULT_SCALES`` gives the catalogue's starting values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from clinic.pure_i18n import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Scale(StrEnum):
    GOODMAN_BARON = "goodman_baron"
    WRINKLE_SEVERITY = "wrinkle_severity"
    SCORE = "score_0_10"


@dataclass(frozen=True)
class ScaleSpec:
    """A grading scale: its name, its range and what each grade means (lower is better)."""

    scale: Scale
    name: StrOrPromise
    low: int
    high: int
    meanings: tuple[
        StrOrPromise, ...
    ] = ()  # one per grade from ``low``, where the scale names them

    @property
    def grades(self) -> range:
        return range(self.low, self.high + 1)

    def meaning(self, grade: int) -> str:
        index = grade - self.low
        return str(self.meanings[index]) if 0 <= index < len(self.meanings) else ""


SCALES: dict[Scale, ScaleSpec] = {
    Scale.GOODMAN_BARON: ScaleSpec(
        Scale.GOODMAN_BARON, _("Goodman and Baron scarring grade (1-4)"), 1, 4,
        (_("macular"), _("mild"), _("moderate"), _("severe")),
    ),
    Scale.WRINKLE_SEVERITY: ScaleSpec(
        Scale.WRINKLE_SEVERITY, _("Wrinkle severity (1-5)"), 1, 5,
        (_("absent"), _("mild"), _("moderate"), _("severe"), _("extreme")),
    ),
    Scale.SCORE: ScaleSpec(Scale.SCORE, _("Practitioner score (0 none to 10 most marked)"), 0, 10),
}  # fmt: skip
SATISFACTION_LOW, SATISFACTION_HIGH = 0, 10

# The catalogue's indication codes (courses.defaults.INDICATIONS) and their scales.
DEFAULT_SCALES = {"scars": Scale.GOODMAN_BARON, "wrinkles": Scale.WRINKLE_SEVERITY}


def default_scale(indication_code: str) -> Scale:
    return DEFAULT_SCALES.get(indication_code, Scale.SCORE)


def grade_error(scale: str, grade: object) -> str | None:
    """Why ``grade`` is not a grade of ``scale`` (None: it is). Booleans are not grades."""
    spec = SCALES.get(Scale(scale)) if scale in Scale._value2member_map_ else None
    if spec is None:
        return str(_("This course's indication has no grading scale."))
    if isinstance(grade, bool) or not isinstance(grade, int) or grade not in spec.grades:
        return range_message(spec)
    return None


def range_message(spec: ScaleSpec) -> str:
    """What a grade on ``spec`` may be, for a refusal."""
    return str(_("A grade on this scale is a whole number from %(low)d to %(high)d.")) % {
        "low": spec.low, "high": spec.high,
    }  # fmt: skip


def satisfaction_error(score: object) -> str | None:
    """Why ``score`` is not a satisfaction score (None: it is)."""
    if isinstance(score, bool) or not isinstance(score, int):
        return str(_("Satisfaction is a whole number from 0 to 10."))
    if not SATISFACTION_LOW <= score <= SATISFACTION_HIGH:
        return str(_("Satisfaction is a whole number from 0 to 10."))
    return None


def improvement(baseline: int | None, latest: int | None) -> int | None:
    """Grades gained from the baseline to the latest grade (positive: better); None
    without both."""
    if baseline is None or latest is None:
        return None
    return baseline - latest


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


# The chart: grade and satisfaction over the course, one point per graded visit.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 12, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    label: str


@dataclass(frozen=True)
class Axis:
    x: float
    ticks: tuple[tuple[float, str], ...]  # (y, label)


@dataclass(frozen=True)
class OutcomeChart:
    width: int
    height: int
    grades: tuple[Point, ...]
    satisfaction: tuple[Point, ...]
    labels: tuple[tuple[float, str], ...]  # (x, visit label) along the bottom
    grade_axis: Axis
    satisfaction_axis: Axis
    baseline: float  # y of the plot's bottom edge

    @property
    def grade_path(self) -> str:
        return _path(self.grades)

    @property
    def satisfaction_path(self) -> str:
        return _path(self.satisfaction)


def _path(points: Sequence[Point]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))


def outcome_chart(
    visits: Sequence[str],
    grades: Sequence[int | None],
    satisfaction: Sequence[int | None],
    spec: ScaleSpec,
) -> OutcomeChart:
    """Lay out the chart: ``visits`` are the x labels (baseline first), ``grades`` and
    ``satisfaction`` one value (or None) per visit. Grades use the left axis (the scale's
    range), satisfaction the right (0-10); higher on the page is a higher number."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(visits) - 1, 1)

    def x_of(i: int) -> float:
        return round(LEFT + i * step if len(visits) > 1 else LEFT + plot_w / 2, 2)

    def y_of(value: int, low: int, high: int) -> float:
        return round(TOP + plot_h - plot_h * (value - low) / (high - low), 2)

    def points(values: Sequence[int | None], low: int, high: int, name: str) -> tuple[Point, ...]:
        return tuple(
            Point(x_of(i), y_of(v, low, high), v, f"{visits[i]}: {name} {v}")
            for i, v in enumerate(values)
            if v is not None
        )

    def axis(x: float, low: int, high: int) -> Axis:
        marks = sorted({low, (low + high) // 2, high})
        return Axis(x, tuple((y_of(m, low, high), str(m)) for m in marks))

    grade_name, satisfaction_name = str(_("grade")), str(_("satisfaction"))
    return OutcomeChart(
        WIDTH, HEIGHT,
        points(grades, spec.low, spec.high, grade_name),
        points(satisfaction, SATISFACTION_LOW, SATISFACTION_HIGH, satisfaction_name),
        tuple((x_of(i), label) for i, label in enumerate(visits)),
        axis(LEFT, spec.low, spec.high),
        axis(WIDTH - RIGHT, SATISFACTION_LOW, SATISFACTION_HIGH),
        TOP + plot_h,
    )  # fmt: skip
