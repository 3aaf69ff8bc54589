"""Running courses at a glance: progress, the next session, and which ones drift.

A course drifts when it still needs sessions but none is booked ahead, when it
is past the longest allowed gap since its last session, or when the gap to its
next session breaks the spacing rules for its needle (unless a practitioner
overrode the gap rules for it with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate

from courses import rules
from courses.models import HOLDING_STATUSES, Course, CourseStatus, Session, SessionStatus

ACTIVE_STATUSES = [CourseStatus.PLANNED, CourseStatus.IN_PROGRESS]
DONE_STATUSES = [SessionStatus.COMPLETED, SessionStatus.STOPPED]


@dataclass
class OverviewRow:
    pk: int
    done: int
    planned: int
    last_day: date | None
    next_day: date | None
    problems: list[str] = field(default_factory=list)
    course: Course | None = None
    next_at: datetime | None = None  # loaded for the page shown only

    @property
    def progress_percent(self) -> int:
        return round(self.done / self.planned * 100) if self.planned else 0


def course_problems(
    rule_set: rules.TreatmentRules,
    *,
    needle_mm: Decimal,
    planned: int,
    remaining: int,
    last_day: date | None,
    next_day: date | None,
    days: list[date],
    today: date,
    gap_overridden: bool,
) -> list[str]:
    """What is wrong with a running course's timing (pure).

    ``days`` are the local days of every session holding its time, in order;
    their gaps are judged by ``rules.gap_problems`` and their number by
    ``rules.shortfall``, as on the course page.
    """
    if remaining <= 0:
        return []
    problems = []
    if next_day is None:
        problems.append("No next session booked")
        if last_day is not None and (today - last_day).days > rule_set.max_gap_weeks * 7:
            weeks = (today - last_day).days // 7
            problems.append(f"Overdue: {weeks} weeks since the last session")
    found = rules.gap_problems(rule_set, needle_mm, days, overridden=gap_overridden)
    problems += [f"Gap before session {n}: {v.message}" for n, v in found.items()]
    if (short := rules.shortfall(planned, len(days))) is not None:
        problems.append(short.message)
    return problems


def overview_rows(
    *, now: datetime, tz: ZoneInfo, rule_set: rules.TreatmentRules, practitioner_id: int | None
) -> list[OverviewRow]:
    """Every running course with its timing facts, drifting ones first (one query).

    The last and next session days come back as local dates computed by the
    database: parsing tens of thousands of timestamps in Python cost more than
    the query.
    """
    courses = Course.objects.filter(status__in=ACTIVE_STATUSES)
    if practitioner_id is not None:
        courses = courses.filter(practitioner_id=practitioner_id)
    holding = Q(sessions__status__in=HOLDING_STATUSES)
    last = Max("sessions__arrives_at", filter=holding & Q(sessions__arrives_at__lt=now))
    following = Min("sessions__arrives_at", filter=holding & Q(sessions__arrives_at__gte=now))
    facts = courses.annotate(
        done=Count("sessions", filter=Q(sessions__status__in=DONE_STATUSES)),
        last_day=TruncDate(last, tzinfo=tz),
        next_day=TruncDate(following, tzinfo=tz),
    ).values_list("pk", "done", "sessions_planned", "last_day", "next_day", "needle_mm",
                  "gap_override_reason")  # fmt: skip
    today = now.astimezone(tz).date()
    days = session_days(courses, tz)
    rows = []
    for pk, done, planned, last_day, next_day, needle, override in facts:
        row = OverviewRow(pk, done, planned, last_day, next_day)
        row.problems = course_problems(
            rule_set, needle_mm=needle, planned=planned, remaining=planned - done,
            last_day=last_day,
            next_day=next_day, days=days.get(pk, []), today=today, gap_overridden=bool(override),
        )  # fmt: skip
        rows.append(row)
    rows.sort(key=lambda r: (not r.problems, r.next_day or date.max, r.pk))
    return rows


def session_days(courses: QuerySet[Course], tz: ZoneInfo) -> dict[int, list[date]]:
    """Each course's session days (holding time, local dates by the database), in order."""
    rows = (
        Session.objects.filter(course__in=courses, status__in=HOLDING_STATUSES)
        .order_by("course_id", "arrives_at")
        .values_list("course_id", TruncDate("arrives_at", tzinfo=tz))
    )
    days: dict[int, list[date]] = {}
    for course_id, day in rows:
        days.setdefault(course_id, []).append(day)
    return days


def attach_courses(rows: list[OverviewRow], *, now: datetime) -> list[OverviewRow]:
    """Load one page's courses with patient, area and practitioner, and their next
    session's time (two queries)."""
    by_pk = Course.objects.select_related("patient", "area", "indication", "practitioner__user")
    found = by_pk.in_bulk([r.pk for r in rows])
    upcoming = (
        Session.objects.filter(course_id__in=found, status__in=HOLDING_STATUSES)
        .filter(arrives_at__gte=now)
        .order_by("course_id", "arrives_at")
        .values_list("course_id", "arrives_at")
    )
    next_at: dict[int, datetime] = {}
    for course_id, arrives_at in upcoming:
        next_at.setdefault(course_id, arrives_at)
    for row in rows:
        row.course = found[row.pk]
        row.next_at = next_at.get(row.pk)
    return rows
