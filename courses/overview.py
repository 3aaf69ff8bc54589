"""Running courses at a glance: progress, the next session, and which ones drift.

A course drifts when it still needs sessions but none is booked ahead, when it
is past the longest allowed gap since its last session, or when the gap to its
next session breaks the spacing rules for its needle (unless a practitioner
overrode the gap rules for it with a reason).

The page reads only its own rows: each course carries a summary of its sessions
(counts, last arrival, shortest and longest gap, the next arrival as of the last
change), written by ``refresh_course_summaries`` whenever a service books, moves
or changes the status of a session. The database sorts and counts running
courses by that summary against the current rules and time; the problem texts
of the rows shown are then computed from their sessions by ``course_problems``,
the same rule as the course page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext, ngettext

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
        problems.append(gettext("No next session booked"))
        if last_day is not None and (today - last_day).days > rule_set.max_gap_weeks * 7:
            weeks = (today - last_day).days // 7
            problems.append(
                ngettext(
                    "Overdue: %(weeks)d week since the last session",
                    "Overdue: %(weeks)d weeks since the last session",
                    weeks,
                )
                % {"weeks": weeks}
            )
    found = rules.gap_problems(rule_set, needle_mm, days, overridden=gap_overridden)
    problems += [
        gettext("Gap before session %(number)d: %(problem)s") % {"number": n, "problem": v.message}
        for n, v in found.items()
    ]
    if (short := rules.shortfall(planned, len(days))) is not None:
        problems.append(short.message)
    return problems


def summarise_sessions(
    sessions: list[tuple[datetime, str]], *, tz: ZoneInfo, at: datetime, gaps_overridden: bool
) -> dict[str, object]:
    """A course's summary fields from its sessions' (arrival, status), in arrival order (pure).

    Gaps are counted in local days between sessions that hold their time, as
    ``rules.gap_problems`` counts them; a course whose gap rules a practitioner
    overrode has none to judge (a reason is given only when the draft is made,
    before any session is booked). The next arrival is the first at or after
    ``at`` and the previous the last before it: the overview trusts the stored
    next day while the current time lies between the two.
    """
    holding = [arrives for arrives, status in sessions if status in HOLDING_STATUSES]
    days = [arrives.astimezone(tz).date() for arrives in holding]
    gaps = [(after - before).days for before, after in zip(days, days[1:], strict=False)]
    gaps = [] if gaps_overridden else gaps
    later = [arrives for arrives in holding if arrives >= at]
    earlier = [arrives for arrives in holding if arrives < at]
    return {
        "done_sessions": sum(1 for _, status in sessions if status in DONE_STATUSES),
        "holding_sessions": len(holding),
        "last_holding_at": holding[-1] if holding else None,
        "shortest_gap_days": min(gaps, default=None),
        "longest_gap_days": max(gaps, default=None),
        "next_holding_at": later[0] if later else None,
        "next_holding_day": later[0].astimezone(tz).date() if later else None,
        "previous_holding_at": earlier[-1] if earlier else None,
    }


def refresh_course_summaries(course_ids: Iterable[int], *, batch_size: int = 1000) -> None:
    """Recompute the overview summary of these courses from their sessions.

    Called by every service that books, moves or changes the status of a
    session (``booking.book_sessions`` and ``move_sessions``, ``rescheduling._change_status``,
    ``session_day._save``), inside its transaction, and by bulk loaders.
    """
    ids = sorted(set(course_ids))
    tz, now = ZoneInfo(settings.TIME_ZONE), timezone.now()
    for chunk in (ids[i : i + batch_size] for i in range(0, len(ids), batch_size)):
        # one query: the sessions with their course's override (a course without sessions
        # has no gaps, so its override does not matter)
        sessions: dict[int, list[tuple[datetime, str]]] = {pk: [] for pk in chunk}
        overridden: dict[int, bool] = {}
        rows = Session.objects.filter(course_id__in=chunk).order_by("course_id", "arrives_at", "id")
        for course_id, arrives_at, status, reason in rows.values_list(
            "course_id", "arrives_at", "status", "course__gap_override_reason"
        ):
            sessions[course_id].append((arrives_at, status))
            overridden[course_id] = bool(reason)
        for pk, found in sessions.items():  # one plain UPDATE each: bulk_update's CASE is slower
            summary = summarise_sessions(
                found, tz=tz, at=now, gaps_overridden=overridden.get(pk, False)
            )
            Course.objects.filter(pk=pk).update(**summary)


def refresh_course_summary(course_id: int) -> None:
    """The one-line hook for a service that changed one course's sessions."""
    refresh_course_summaries([course_id])


def needs_attention(*, now: datetime, rule_set: rules.TreatmentRules) -> Q:
    """``course_problems(...) != []`` in the database's terms, from the summary.

    Still sessions to do, and: none holding a time from now on, fewer holding
    than planned, or a gap outside the needle's window (the summary has no gaps
    when they were overridden). Every column it reads is in the index
    ``course_overview``, so the database never reads the courses' rows for it.
    """
    steps = [
        When(needle_mm__lte=up_to, then=Value(weeks * 7)) for up_to, weeks in rule_set.minimum_gaps
    ]
    minimum_days = Case(*steps, default=Value(rule_set.minimum_gaps[-1][1] * 7))
    gap_off = Q(shortest_gap_days__lt=minimum_days) | Q(
        longest_gap_days__gt=rule_set.max_gap_weeks * 7
    )
    return Q(done_sessions__lt=F("sessions_planned")) & (
        Q(last_holding_at__isnull=True)
        | Q(last_holding_at__lt=now)
        | Q(holding_sessions__lt=F("sessions_planned"))
        | gap_off
    )


def next_day(*, now: datetime, tz: ZoneInfo) -> Case:
    """The local day of a course's next session holding its time (at or after now).

    The stored day holds while now lies between the previous and the next arrival
    it was computed with; otherwise (a session's time has passed since) the
    database looks it up among the course's sessions.
    """
    stored_holds = (Q(previous_holding_at__isnull=True) | Q(previous_holding_at__lt=now)) & (
        Q(next_holding_at__isnull=True) | Q(next_holding_at__gte=now)
    )
    looked_up = (
        Session.objects.filter(
            course_id=OuterRef("pk"), status__in=HOLDING_STATUSES, arrives_at__gte=now
        )
        .order_by("arrives_at")
        .values_list(TruncDate("arrives_at", tzinfo=tz))[:1]
    )
    return Case(
        When(stored_holds, then=F("next_holding_day")),
        default=Subquery(looked_up, output_field=DateField()),
        output_field=DateField(),
    )


def running_courses(
    *, now: datetime, tz: ZoneInfo, rule_set: rules.TreatmentRules, practitioner_id: int | None
) -> QuerySet[Course]:
    """Running courses, drifting ones first, then by next session day, then by id."""
    courses = Course.objects.filter(status__in=ACTIVE_STATUSES)
    if practitioner_id is not None:
        courses = courses.filter(practitioner_id=practitioner_id)
    return courses.annotate(
        attention=Case(
            When(needs_attention(now=now, rule_set=rule_set), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        next_day=next_day(now=now, tz=tz),
    ).order_by(F("attention").desc(), F("next_day").asc(nulls_last=True), "pk")


def needing_attention(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Of ``running_courses``, those needing attention (its ``attention`` annotation;
    a Q object, since the type checker does not see annotations of a returned queryset)."""
    return courses.filter(Q(attention=True))


def page_of_running(
    courses: QuerySet[Course], *, attention_only: bool, number: int, size: int
) -> tuple[list[int], int, int] | None:
    """One page of ``running_courses`` (all, or only those needing attention): the
    page's course ids, and how many the listing has and how many of them need
    attention, counted by the same query (window aggregates over the whole listing,
    so the database reads the courses once per view). None past the last page."""
    listed = needing_attention(courses) if attention_only else courses
    counted = listed.annotate(
        listed_total=Window(Count("pk")),
        listed_drifting=Window(Sum(Case(When(Q(attention=True), then=Value(1)), default=Value(0)))),
    )
    start = (number - 1) * size
    rows = list(counted.values_list("pk", "listed_total", "listed_drifting")[start : start + size])
    if not rows:
        return None
    return [pk for pk, _, _ in rows], rows[0][1], rows[0][2]


def count_running(courses: QuerySet[Course]) -> tuple[int, int]:
    """(running courses, those needing attention) in one query."""
    counts = courses.order_by().aggregate(
        total=Count("pk"), drifting=Count("pk", filter=Q(attention=True))
    )
    return counts["total"], counts["drifting"]


def page_rows(
    pks: list[int], *, now: datetime, tz: ZoneInfo, rule_set: rules.TreatmentRules
) -> list[OverviewRow]:
    """One page's courses with patient, area and practitioner, and their timing facts and
    problems computed from their sessions (two queries)."""
    by_pk = Course.objects.select_related("patient", "area", "indication", "practitioner__user")
    found = by_pk.in_bulk(pks)
    sessions: dict[int, list[datetime]] = {pk: [] for pk in pks}
    done: dict[int, int] = dict.fromkeys(pks, 0)
    holding = (
        Session.objects.filter(course_id__in=pks, status__in=HOLDING_STATUSES)
        .order_by("course_id", "arrives_at")
        .values_list("course_id", "arrives_at", "status")
    )
    for course_id, arrives_at, status in holding:
        sessions[course_id].append(arrives_at)
        done[course_id] += status in DONE_STATUSES
    today = now.astimezone(tz).date()
    return [
        _row(found[pk], done[pk], sessions[pk], now=now, tz=tz, today=today, rule_set=rule_set)
        for pk in pks
    ]


def _row(
    course: Course, done: int, arrivals: list[datetime], *, now: datetime, tz: ZoneInfo,
    today: date, rule_set: rules.TreatmentRules,
) -> OverviewRow:  # fmt: skip
    earlier = [a for a in arrivals if a < now]
    later = [a for a in arrivals if a >= now]
    last_day = earlier[-1].astimezone(tz).date() if earlier else None
    next_at = later[0] if later else None
    next_day = next_at.astimezone(tz).date() if next_at else None
    row = OverviewRow(course.pk, done, course.sessions_planned, last_day, next_day,
                      course=course, next_at=next_at)  # fmt: skip
    row.problems = course_problems(
        rule_set, needle_mm=course.needle_mm, planned=course.sessions_planned,
        remaining=course.sessions_planned - done, last_day=last_day, next_day=next_day,
        days=[a.astimezone(tz).date() for a in arrivals], today=today,
        gap_overridden=bool(course.gap_override_reason),
    )  # fmt: skip
    return row
