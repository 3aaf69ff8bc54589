"""Average improvement per indication and needle length over a period (issue #19).

A course counts in the period when it has a baseline grade and at least one session
graded that arrived in the period; its improvement is the baseline minus the latest such
grade (``courses.outcomes.improvement``: positive is better, every practitioner scale
grades severity). Courses are grouped by indication, scale and needle length, so only
grades on one scale are ever averaged together. Two queries, whatever the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy

from courses import outcomes
from courses.models import OutcomeGrade, Satisfaction


@dataclass(frozen=True)
class OutcomeGroup:
    indication: str
    scale: str  # the scale's name, in the active language
    needle_mm: Decimal
    courses: int
    mean_baseline: float | None
    mean_latest: float | None
    mean_improvement: float | None
    mean_satisfaction: float | None  # the latest score each course's patient gave, averaged


@dataclass
class _Course:
    indication: str
    scale: str
    needle_mm: Decimal
    baseline: int | None = None
    latest: tuple[datetime, int] | None = None


def outcome_groups(first_day: date, last_day: date, *, tz: ZoneInfo) -> list[OutcomeGroup]:
    start = datetime.combine(first_day, time.min, tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
    graded = OutcomeGrade.objects.filter(
        session__arrives_at__gte=start, session__arrives_at__lt=end
    ).values("course_id")
    rows = OutcomeGrade.objects.filter(course_id__in=graded).values_list(
        "course_id", "course__indication__name", "scale", "course__needle_mm",
        "session__arrives_at", "grade",
    )  # fmt: skip
    courses: dict[int, _Course] = {}
    for course_id, indication, scale, needle, arrives, grade in rows:
        entry = courses.setdefault(course_id, _Course(indication, scale, needle))
        if arrives is None:
            entry.baseline = grade
        elif arrives < end and (entry.latest is None or arrives > entry.latest[0]):
            entry.latest = (arrives, grade)
    return _groups(courses, _latest_scores(list(courses), end))


def _latest_scores(course_ids: list[int], end: datetime) -> dict[int, int]:
    """Each course's latest satisfaction score given for a session before ``end``."""
    latest: dict[int, tuple[datetime, int]] = {}
    scores = Satisfaction.objects.filter(
        session__course_id__in=course_ids, session__arrives_at__lt=end
    ).values_list("session__course_id", "session__arrives_at", "score")
    for course_id, arrives, score in scores:
        if course_id not in latest or arrives > latest[course_id][0]:
            latest[course_id] = (arrives, score)
    return {course_id: score for course_id, (_, score) in latest.items()}


def _groups(courses: dict[int, _Course], scores: dict[int, int]) -> list[OutcomeGroup]:
    grouped: dict[tuple[str, str, Decimal], list[tuple[int, int, int]]] = defaultdict(list)
    for course_id, entry in courses.items():
        if entry.baseline is not None and entry.latest is not None:
            key = (entry.indication, entry.scale, entry.needle_mm)
            grouped[key].append((course_id, entry.baseline, entry.latest[1]))
    result = []
    for (indication, scale, needle), graded in sorted(grouped.items()):
        ids = [course_id for course_id, _, _ in graded]
        baselines = [baseline for _, baseline, _ in graded]
        latests = [latest for _, _, latest in graded]
        gains = [
            outcomes.improvement(b, latest) or 0
            for b, latest in zip(baselines, latests, strict=True)
        ]
        name = str(outcomes.SCALES[outcomes.Scale(scale)].name)
        result.append(OutcomeGroup(
            indication, name, needle, len(ids), outcomes.mean(baselines),
            outcomes.mean(latests), outcomes.mean(gains),
            outcomes.mean([scores[i] for i in ids if i in scores]),
        ))  # fmt: skip
    return result


CSV_HEADER = [gettext_lazy("indication"), gettext_lazy("scale"), gettext_lazy("needle (mm)"),
              gettext_lazy("courses"), gettext_lazy("mean baseline grade"),
              gettext_lazy("mean latest grade"), gettext_lazy("mean improvement (grades)"),
              gettext_lazy("mean satisfaction (0-10)")]  # fmt: skip


def outcome_csv_rows(groups: list[OutcomeGroup]) -> list[list[str]]:
    def text(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    return [[str(h) for h in CSV_HEADER]] + [
        [g.indication, g.scale, f"{g.needle_mm}", str(g.courses), text(g.mean_baseline),
         text(g.mean_latest), text(g.mean_improvement), text(g.mean_satisfaction)]
        for g in groups
    ]  # fmt: skip
