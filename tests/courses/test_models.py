"""Per-row facts and query helpers of courses.models."""

from datetime import date, datetime, time, timedelta

import pytest

from courses import services
from courses.models import Session


@pytest.mark.parametrize("day", [date(2026, 1, 6), date(2026, 3, 29), date(2026, 10, 25)])
def test_arriving_on_matches_the_local_calendar_day(book, practitioner, day):
    course = book(sessions_planned=4)
    tz = services.clinic_tz()
    sessions = list(course.sessions.order_by("number"))
    # One patient's visits may not overlap, so those after midnight start at 00:40.
    edges = [datetime.combine(day, time(0, 40), tzinfo=tz),
             datetime.combine(day, time(23, 30), tzinfo=tz),
             datetime.combine(day + timedelta(days=1), time(0, 40), tzinfo=tz),
             datetime.combine(day - timedelta(days=1), time(23, 30), tzinfo=tz)]  # fmt: skip
    for session, arrives in zip(sessions, edges, strict=True):
        Session.objects.filter(pk=session.pk).update(
            arrives_at=arrives, procedure_starts_at=arrives + timedelta(minutes=20),
            procedure_ends_at=arrives + timedelta(minutes=65),
        )  # fmt: skip
    found = set(Session.objects.arriving_on(day, tz).values_list("number", flat=True))
    by_date = set(Session.objects.filter(arrives_at__date=day).values_list("number", flat=True))
    assert found == by_date == {1, 2}
