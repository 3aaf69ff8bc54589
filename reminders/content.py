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


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    ics: bytes | None = None
    unsubscribe_url: str = ""


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


def build_context(message: OutboxMessage, clinic: Clinic) -> dict[str, object]:
    tz = _zone(message)
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
    if message.kind == Kind.AFTERCARE:
        aftercare = getattr(message.session, "aftercare", None)
        context["aftercare"] = aftercare.text if aftercare else ""
    if message.kind == Kind.COURSE_BOOKED:
        context["course"] = message.course
        context["course_sessions"] = course_sessions(message)
        context["visits"] = [_visit(s, tz) for s in context["course_sessions"]]
    if message.kind == Kind.DAILY_AGENDA:
        context["agenda"] = [_visit(s, tz) for s in agenda_sessions(message)]
    return context


def course_sessions(message: OutboxMessage) -> list[Session]:
    return list(message.course.sessions.filter(status__in=HOLDING_STATUSES).order_by("arrives_at"))


def agenda_sessions(message: OutboxMessage) -> list[Session]:
    tz = ZoneInfo(settings.TIME_ZONE)
    return list(
        Session.objects.arriving_on(message.due_at.astimezone(tz).date(), tz)
        .filter(practitioner_id=message.practitioner_id, status__in=HOLDING_STATUSES)
        .select_related("course__area", "patient", "room")
        .order_by("arrives_at")
    )


def render(message: OutboxMessage) -> Rendered:
    clinic = Clinic.cached()
    context = build_context(message, clinic)
    name = message.kind
    if message.channel == Channel.SMS:
        text = render_to_string(f"sms/{name}.txt", context).strip()
        return Rendered(
            subject="", text=text, html="", unsubscribe_url=context.get("unsubscribe_url", "")
        )
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    ics = None
    if message.kind == Kind.COURSE_BOOKED:
        ics = course_calendar(message, context["course_sessions"], clinic)
    return Rendered(
        subject=subject,
        text=render_to_string(f"emails/{name}_body.txt", context),
        html=render_to_string(f"emails/{name}_body.html", context),
        ics=ics,
        unsubscribe_url=context.get("unsubscribe_url", ""),
    )


def course_calendar(message: OutboxMessage, sessions: list[Session], clinic: Clinic) -> bytes:
    """One event per session, arrival to end, without health details."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microneedling course planner//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
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
