"""Clinic reports over a period: sessions, no-shows, completed courses, reminders.

Counts are bucketed by week (Monday first) of the clinic's local calendar, read
with a fixed number of grouped queries whatever the period's size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext, gettext_lazy

from courses.models import LONGEST_VISIT, Course, CourseStatus, Session, SessionStatus
from reminders.models import Channel, OutboxMessage, Status

DONE = [SessionStatus.COMPLETED, SessionStatus.STOPPED]


@dataclass(frozen=True)
class Week:
    starts_on: date
    sessions_done: int = 0
    no_shows: int = 0
    courses_completed: int = 0
    reminders_sent: int = 0
    reminders_failed: int = 0

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among sessions that were due to happen (done or missed)."""
        due = self.sessions_done + self.no_shows
        return self.no_shows / due if due else None

    @property
    def no_show_text(self) -> str:
        return "" if self.no_show_rate is None else f"{self.no_show_rate:.1%}"


@dataclass(frozen=True)
class Report:
    first_day: date
    last_day: date
    weeks: list[Week]
    totals: Week


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def summarise(first_day: date, last_day: date, counts: dict[str, Counter[date]]) -> Report:
    """Per-day counts folded into weeks and totals (pure)."""
    weeks = []
    monday = monday_of(first_day)
    while monday <= last_day:
        days = [monday + timedelta(days=n) for n in range(7)]
        days = [d for d in days if first_day <= d <= last_day]
        weeks.append(Week(monday, **{k: sum(c[d] for d in days) for k, c in counts.items()}))
        monday += timedelta(days=7)
    totals = Week(first_day, **{k: sum(c.values()) for k, c in counts.items()})
    return Report(first_day, last_day, weeks, totals)


def build_report(first_day: date, last_day: date, *, tz: ZoneInfo) -> Report:
    """The period's counts from the database (five queries)."""
    start = datetime.combine(first_day, time.min, tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
    counts: dict[str, Counter[date]] = {}
    sessions = (
        Session.objects.arriving_between(start, end)
        .filter(status__in=[*DONE, SessionStatus.NO_SHOW])
        .annotate(day=TruncDate("arrives_at", tzinfo=tz))
        .values_list("day", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts["sessions_done"], counts["no_shows"] = Counter(), Counter()
    for day, status, n in sessions:
        counts["no_shows" if status == SessionStatus.NO_SHOW else "sessions_done"][day] += n
    # Only courses with a session done in the period can have ended in it: that
    # index-served range keeps the aggregate off the whole history.
    candidates = Session.objects.arriving_between(start - LONGEST_VISIT, end).filter(
        status__in=DONE
    )
    finished = (
        Course.objects.filter(status=CourseStatus.COMPLETED, id__in=candidates.values("course_id"))
        .annotate(last=Max("sessions__procedure_ends_at", filter=Q(sessions__status__in=DONE)))
        .filter(last__gte=start, last__lt=end)
        .values_list("last", flat=True)
    )
    counts["courses_completed"] = Counter(moment.astimezone(tz).date() for moment in finished)
    # Webhook deliveries (issue #18) are no reminders: counted on their own screen.
    reminders = ~Q(channel=Channel.WEBHOOK)
    counts["reminders_sent"] = _messages_by_day(
        reminders & Q(status=Status.SENT), "sent_at", start, end, tz
    )
    counts["reminders_failed"] = _messages_by_day(
        reminders & Q(status=Status.FAILED), "due_at", start, end, tz
    )
    return summarise(first_day, last_day, counts)


def _messages_by_day(
    where: Q, moment: str, start: datetime, end: datetime, tz: ZoneInfo
) -> Counter[date]:
    rows = (
        OutboxMessage.objects.filter(where, **{f"{moment}__gte": start, f"{moment}__lt": end})
        .annotate(day=TruncDate(moment, tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter(dict(rows))


CSV_HEADER = [gettext_lazy("week starting"), gettext_lazy("sessions done"),
              gettext_lazy("no-shows"), gettext_lazy("no-show rate"),
              gettext_lazy("courses completed"), gettext_lazy("reminders sent"),
              gettext_lazy("reminders failed")]  # fmt: skip


def csv_rows(report: Report) -> list[list[str]]:
    """The weekly table and a total line, as text cells (the words in the active language)."""

    def cells(label: str, week: Week) -> list[str]:
        counts = [week.sessions_done, week.no_shows]
        more = [week.courses_completed, week.reminders_sent, week.reminders_failed]
        return [label, *map(str, counts), week.no_show_text, *map(str, more)]

    rows = [cells(w.starts_on.isoformat(), w) for w in report.weeks]
    return [[str(h) for h in CSV_HEADER], *rows, cells(gettext("total"), report.totals)]
