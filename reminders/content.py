"""What a message says: subject, text, HTML, SMS text and calendar file.

Rendered when the message is sent, from templates under templates/emails/ and
templates/sms/. Every time is shown in the recipient's time zone, named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.template.loader import render_to_string

from clinic.models import Clinic
from courses.models import HOLDING_STATUSES, Session
from reminders import links
from reminders.models import Channel, Kind, OutboxMessage

PATIENT_KINDS = {
    Kind.COURSE_BOOKED, Kind.REMINDER_48H, Kind.REMINDER_2H, Kind.AFTERCARE,
    Kind.COURSE_COMPLETED,
}  # fmt: skip


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    ics: bytes | None = None


def when(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({tz.key})"


def message_host() -> str:
    return urlsplit(settings.PLANNER_BASE_URL).hostname or "localhost"


def _zone(message: OutboxMessage) -> ZoneInfo:
    if message.patient_id:
        return ZoneInfo(message.patient.time_zone)
    return ZoneInfo(settings.TIME_ZONE)


def _visit(session: Session, tz: ZoneInfo) -> dict[str, object]:
    return {
        "session": session,
        "arrival": when(session.arrives_at, tz),
        "arrival_time": f"{session.arrives_at.astimezone(tz):%H:%M}",
        "cream_minutes": session.cream_minutes,
        "procedure_start": f"{session.procedure_starts_at.astimezone(tz):%H:%M}",
    }


def build_context(message: OutboxMessage) -> dict[str, object]:
    tz = _zone(message)
    clinic = Clinic.current()
    context: dict[str, object] = {
        "clinic": clinic,
        "address_line": ", ".join(
            line.strip() for line in clinic.address.splitlines() if line.strip()
        ),
        "message": message,
        "tz": tz.key,
    }
    if message.patient_id:
        context["patient"] = message.patient
        context["unsubscribe_url"] = links.unsubscribe_link(message.patient_id, message.channel)
    if message.session_id:
        context.update(_visit(message.session, tz))
        version = message.schedule_version
        context["confirm_url"] = links.session_link("confirm", message.session_id, version)
        context["cancel_url"] = links.session_link("cancel", message.session_id, version)
        aftercare = getattr(message.session, "aftercare", None)
        context["aftercare"] = aftercare.text if aftercare else ""
    if message.course_id:
        sessions = message.course.sessions.filter(status__in=HOLDING_STATUSES).order_by(
            "arrives_at"
        )
        context["course"] = message.course
        context["visits"] = [_visit(s, tz) for s in sessions]
    if message.kind == Kind.DAILY_AGENDA:
        context["agenda"] = [_visit(s, tz) for s in agenda_sessions(message)]
    return context


def agenda_sessions(message: OutboxMessage) -> list[Session]:
    day = message.due_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return list(
        Session.objects.filter(
            practitioner_id=message.practitioner_id,
            status__in=HOLDING_STATUSES,
            arrives_at__date=day,
        )
        .select_related("course__area", "patient", "room")
        .order_by("arrives_at")
    )


def render(message: OutboxMessage) -> Rendered:
    context = build_context(message)
    name = message.kind
    if message.channel == Channel.SMS:
        text = render_to_string(f"sms/{name}.txt", context).strip()
        return Rendered(subject="", text=text, html="")
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    return Rendered(
        subject=subject,
        text=render_to_string(f"emails/{name}_body.txt", context),
        html=render_to_string(f"emails/{name}_body.html", context),
        ics=course_calendar(message) if message.kind == Kind.COURSE_BOOKED else None,
    )


def course_calendar(message: OutboxMessage) -> bytes:
    """One event per session, arrival to end, without health details."""
    clinic = Clinic.current()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microneedling course planner//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    sessions = message.course.sessions.filter(status__in=HOLDING_STATUSES).order_by("arrives_at")
    for number, session in enumerate(sessions, start=1):
        event = icalendar.Event()
        event.add("uid", f"session-{session.pk}-v{session.schedule_version}@{message_host()}")
        event.add("dtstamp", message.created_at)
        event.add("dtstart", session.arrives_at)
        event.add("dtend", session.procedure_ends_at)
        event.add("summary", f"{clinic.name}: treatment session {number}")
        if clinic.address:
            event.add("location", clinic.address.replace("\n", ", "))
        calendar.add_component(event)
    return calendar.to_ical()
