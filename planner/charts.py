"""A grouped bar chart laid out for inline SVG, rendered on the server (pure).

No chart library and no script: the page draws rectangles at the coordinates
given here. Each series also has a pattern and the page a legend and a table,
so colour is never the only way to tell the series apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from clinic.pure_i18n import gettext

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    baseline: float
    left: float
    right: float


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^n at or above the value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def grouped_bars(
    groups: Sequence[str], series: Sequence[str], values: Sequence[Sequence[int]]
) -> Chart:
    """One group of bars per label, one bar per series; values[group][series]."""
    top = nice_ceiling(max((v for row in values for v in row), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(groups), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    bars, labels = [], []
    for g, (group, row) in enumerate(zip(groups, values, strict=True)):
        x0 = LEFT + g * slot + slot * 0.1
        labels.append(Label(round(LEFT + g * slot + slot / 2, 2), group))
        for s, value in enumerate(row):
            h = plot_h * value / top
            bars.append(Bar(round(x0 + s * bar_w, 2), round(TOP + plot_h - h, 2),
                            round(bar_w, 2), round(h, 2), value, s,
                            gettext("%(group)s: %(value)d %(series)s")
                            % {"group": group, "value": value, "series": series[s]}))  # fmt: skip
    steps = 4 if top % 4 == 0 and top >= 4 else (5 if top % 5 == 0 and top >= 5 else 1)
    ticks = [Tick(round(TOP + plot_h - plot_h * i / steps, 2), str(top * i // steps))
             for i in range(steps + 1)]  # fmt: skip
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, TOP + plot_h, LEFT, WIDTH - RIGHT)
