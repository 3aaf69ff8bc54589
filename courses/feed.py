"""A practitioner's private iCalendar feed: their sessions, without health details.

Phones poll the feed; each session is one event whose UID stays the same when
it moves (SEQUENCE follows the schedule version), so a moved session updates in
place and a cancelled one disappears. Events name the patient by first name and
initial and the room, never the treatment, area, needle or screening.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from django.utils.translation import gettext

from clinic.models import Clinic, Practitioner
from courses.models import Session, SessionStatus
from courses.services import clinic_tz

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=365)


def practitioner_feed(
    practitioner: Practitioner, *, clinic: Clinic, now: datetime, host: str
) -> bytes:
    """The feed's text: sessions from a month ago to a year ahead (one query)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microneedling course planner//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{clinic.name}: {practitioner}")
    rows = (
        Session.objects.filter(
            practitioner=practitioner,
            procedure_starts_at__gte=now - FEED_PAST,
            procedure_starts_at__lt=now + FEED_FUTURE,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .values_list(
            "pk", "arrives_at", "procedure_starts_at", "procedure_ends_at", "status",
            "schedule_version", "course__patient__first_name", "course__patient__last_name",
            "room__name",
        )
    )  # fmt: skip
    labels, tz = dict(SessionStatus.choices), clinic_tz()
    for pk, arrives, starts, ends, status, version, first, last, room in rows:
        event = icalendar.Event()
        event.add("uid", f"session-{pk}@{host}")
        event.add("sequence", version)
        event.add("dtstamp", now)
        event.add("dtstart", arrives)
        event.add("dtend", ends)
        event.add("summary", f"{first} {last[:1]}. · {room}")
        event.add("location", room)
        event.add(
            "description",
            gettext("Arrives %(arrives)s, procedure from %(starts)s. Status: %(status)s.")
            % {
                "arrives": f"{arrives.astimezone(tz):%H:%M}",
                "starts": f"{starts.astimezone(tz):%H:%M}",
                "status": labels[status],
            },
        )
        if status == SessionStatus.NO_SHOW:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
