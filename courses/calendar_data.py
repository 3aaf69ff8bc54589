"""Reads for the calendars: a practitioner's or a room's sessions and hours (reads only).

A fixed handful of queries whatever the number of sessions shown: hours,
closures, absences and one index-served range query for the sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils.translation import gettext

from clinic.models import Absence, Closure, OpeningHours, Practitioner, Room, WorkingHours
from courses import calendar
from courses.availability import by_weekday
from courses.models import Session, SessionStatus
from courses.services import clinic_tz


def practitioner_layout(
    practitioner: Practitioner, days: Sequence[date], *, now: datetime, step_minutes: int
) -> calendar.Layout:
    """The practitioner's sessions; open means the clinic is open and they work."""
    start, end = _span(days)
    working = by_weekday(
        WorkingHours.objects.filter(practitioner=practitioner).values_list(
            "weekday", "starts", "ends"
        )
    )
    opening = _opening()
    hours = {d: calendar.intersect(opening.get(d, ()), working.get(d, ())) for d in range(7)}
    absences = list(
        Absence.objects.filter(
            practitioner=practitioner, starts_at__lt=end, ends_at__gt=start
        ).values_list("starts_at", "ends_at", "reason")
    )
    facts = calendar.Facts(hours, _closures(days), absences)
    bookings = _bookings(Q(practitioner=practitioner), start, end, with_who="room")
    return calendar.lay_out(
        days, facts, bookings, tz=clinic_tz(), step_minutes=step_minutes, now=now
    )


def room_layout(
    room: Room, days: Sequence[date], *, now: datetime, step_minutes: int
) -> calendar.Layout:
    """The room's sessions; open means the clinic is open."""
    start, end = _span(days)
    facts = calendar.Facts(_opening(), _closures(days))
    bookings = _bookings(Q(room=room), start, end, with_who="practitioner")
    return calendar.lay_out(
        days, facts, bookings, tz=clinic_tz(), step_minutes=step_minutes, now=now
    )


def _span(days: Sequence[date]) -> tuple[datetime, datetime]:
    tz = clinic_tz()
    return (
        datetime.combine(days[0], time.min, tzinfo=tz),
        datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz),
    )


def _opening() -> dict[int, list[tuple[time, time]]]:
    return by_weekday(OpeningHours.objects.values_list("weekday", "opens", "closes"))


def _closures(days: Sequence[date]) -> list[tuple[date, date, str]]:
    return list(
        Closure.objects.filter(starts_on__lte=days[-1], ends_on__gte=days[0]).values_list(
            "starts_on", "ends_on", "reason"
        )
    )


def _bookings(where: Q, start: datetime, end: datetime, *, with_who: str) -> list[calendar.Booking]:
    """Sessions arriving in [start, end), bounded on the indexed procedure start."""
    who = "room__name" if with_who == "room" else "practitioner__user__first_name"
    rows = (
        Session.objects.filter(where)
        .arriving_between(start, end)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("arrives_at", "id")
        .values_list(
            "pk", "arrives_at", "procedure_starts_at", "procedure_ends_at", "status",
            "course__patient__first_name", "course__patient__last_name", "course__area__name",
            "course__needle_mm", "number", "course__sessions_planned", who, "course_id",
            "practitioner__user_id",
        )
    )  # fmt: skip
    labels = dict(SessionStatus.choices)
    return [
        calendar.Booking(
            pk=pk,
            arrives_at=arrives,
            procedure_starts_at=starts,
            procedure_ends_at=ends,
            status=status,
            status_label=str(labels[status]),
            title=f"{first} {last}",
            detail=gettext("%(number)s of %(planned)s · %(place)s")
            % {"number": number, "planned": planned, "place": place},
            treatment=f"{area}, {needle} mm",
            course_pk=course_pk,
            practitioner_user_pk=user_pk,
        )  # fmt: skip
        for (
            pk,
            arrives,
            starts,
            ends,
            status,
            first,
            last,
            area,
            needle,
            number,
            planned,
            place,
            course_pk,
            user_pk,
        ) in rows  # fmt: skip
    ]
