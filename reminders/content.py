"""What a message says: the context its templates read, and its calendar files.

Rendered when the message is sent, by the message's channel
(``reminders/channels/``) from this context: templates under templates/emails/
and templates/sms/. Every time is shown in the recipient's time zone, named.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clinic.accounts.models import staff_language
from clinic.actors import SystemActor
from clinic.models import Clinic, Lot
from clinic.site import message_host
from courses import session_day
from courses.aftercare import build_aftercare
from courses.models import (
    HOLDING_STATUSES,
    OPEN_STATUSES,
    ChangeKind,
    Procedure,
    Session,
    SessionChange,
)
from reminders import channels, links
from reminders.models import Kind, OutboxMessage, Status


@dataclass(frozen=True)
class Change:
    """What the patient last heard about one session and what holds now."""

    session: Session
    what: str  # "moved", "cancelled" or "added"
    was: datetime | None


def when(moment: datetime, tz: ZoneInfo) -> str:
    """A visit's day and time in the active language, in ``tz`` and naming it."""
    # Translators: the time of a visit, e.g. "Tuesday 6 January 2026, 10:00 (Europe/London)".
    return _("%(day)s, %(time)s (%(zone)s)") % {
        "day": day(moment, tz),
        "time": clock(moment, tz),
        "zone": tz.key,
    }


def day(moment: datetime, tz: ZoneInfo) -> str:
    """The local day in the active language's words: Django's date format letters
    (``E`` is the month's name as it follows a day number, e.g. Russian "января")."""
    # Translators: a Django date format (docs.djangoproject.com/en/stable/ref/templates/
    # builtins/#date) for the day of a visit; "E" names the month as it follows a day
    # number (genitive in Russian and Ukrainian). English: "Tuesday 6 January 2026".
    return date_format(moment.astimezone(tz), pgettext("visit day format", "l j E Y"))


def clock(moment: datetime, tz: ZoneInfo) -> str:
    """The local time of day, 24-hour (as every shipped language writes it)."""
    return date_format(moment.astimezone(tz), pgettext("visit time format", "H:i"))


# Messages written to a member of staff (their agenda, a patient's cancellation), not to
# the patient the row may name: in the staff member's own language.
STAFF_KINDS = frozenset({
    Kind.DAILY_AGENDA, Kind.CANCELLED_BY_PATIENT, Kind.MOVED_BY_PATIENT, Kind.WEBHOOK_DISABLED,
})  # fmt: skip


def message_language(message: OutboxMessage) -> str:
    """The language a message is written in: the patient's, or the staff member's own
    choice (``clinic.accounts``) for staff messages (to ``message.staff``, else to the
    practitioner); else the clinic's default."""
    if message.kind in STAFF_KINDS:
        practitioner = message.practitioner
        user = message.staff or (practitioner.user if practitioner is not None else None)
        chosen = staff_language(user) if user is not None else None
        return chosen or settings.LANGUAGE_CODE
    if message.patient is not None:
        return message.patient.language
    return settings.LANGUAGE_CODE


@contextmanager
def written_for(message: OutboxMessage) -> Iterator[None]:
    """Render inside this: the recipient's language (words, date formats) and time zone."""
    with translation.override(message_language(message)), timezone.override(_zone(message)):
        yield


def _zone(message: OutboxMessage) -> ZoneInfo:
    """The patient's time zone; the clinic's for staff messages."""
    if message.patient is not None and message.kind not in STAFF_KINDS:
        return ZoneInfo(message.patient.time_zone)
    return ZoneInfo(settings.TIME_ZONE)


def _visit(session: Session, tz: ZoneInfo) -> dict[str, object]:
    return {
        "session": session,
        "arrival": when(session.arrives_at, tz),
        "arrival_time": clock(session.arrives_at, tz),
        "cream_minutes": session.cream_minutes,
        "procedure_start": clock(session.procedure_starts_at, tz),
    }


def build_context(
    message: OutboxMessage, clinic: Clinic, *, now: datetime | None = None
) -> dict[str, Any]:
    tz = _zone(message)
    context: dict[str, Any] = {
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
    course = message.course or (message.session.course if message.session else None)
    if course is not None and message.patient_id:
        context["course_url"] = links.course_link(
            course.pk, course.patient_id, course.patient_link_version
        )
    session = message.session
    if session is not None:
        context.update(_visit(session, tz))
        version = message.schedule_version
        context["confirm_url"] = links.session_link("confirm", session.pk, version)
        context["cancel_url"] = links.session_link("cancel", session.pk, version)
    if message.kind == Kind.AFTERCARE:
        assert session is not None  # why_not_send refuses an aftercare row without its session
        context["aftercare"] = _aftercare_text(session, now or timezone.now())
        context["treated_day"] = day(session.arrives_at, tz)  # not always "yesterday"
    if message.kind == Kind.COURSE_BOOKED:
        context["course"] = message.course
        context["course_sessions"] = course_sessions(message)
        context["visits"] = [_visit(s, tz) for s in context["course_sessions"]]
    if message.kind == Kind.DAILY_AGENDA:
        context["agenda"] = [_visit(s, tz) for s in agenda_sessions(message)]
    if message.kind == Kind.SESSIONS_CHANGED:
        context.update(_changes_context(message, tz))
    if message.kind == Kind.MOVED_BY_PATIENT:
        assert session is not None  # why_not_send refuses the row without its session
        context.update(_patient_move(message, session, tz))
    if message.kind == Kind.WEBHOOK_DISABLED:
        context["endpoint"] = message.endpoint
        context["screen_url"] = links.absolute(reverse("reminders:webhooks"))
    if message.kind == Kind.LOT_RECALL:
        assert session is not None  # why_not_send refuses the row without its session
        context.update(_recall(session, tz))
    return context


def recalled_lot(session: Session) -> Lot | None:
    """The lot the session's procedure used (a recall notice is about it), or None."""
    procedure = Procedure.objects.filter(session=session).select_related("lot__product").first()
    return procedure.lot if procedure is not None else None


def _recall(session: Session, tz: ZoneInfo) -> dict[str, object]:
    """The recalled lot, its product and the patient's days of treatment with it."""
    lot = recalled_lot(session)
    assert lot is not None  # why_not_send refuses the row when its session has no lot
    used = Session.objects.filter(patient_id=session.patient_id, procedure__lot=lot)
    return {
        "lot": lot.number,
        "product": lot.product.name,
        "treated_days": [day(at, tz) for at in used.order_by("arrives_at").values_list(
            "arrives_at", flat=True)],
    }  # fmt: skip


def _patient_move(message: OutboxMessage, session: Session, tz: ZoneInfo) -> dict[str, str]:
    """The move the message is about: the session's last reschedule made by the time the
    message was queued (in the same transaction), from where to where. A later change
    (another move, or one that shifted this session along) is not this message's news."""
    change = (
        SessionChange.objects.filter(
            session=session, kind=ChangeKind.RESCHEDULED, changed_at__lte=message.created_at
        )
        .exclude(from_arrives_at=None)
        .order_by("-changed_at", "-id")
        .first()
    )
    if change is None or change.from_arrives_at is None:
        return {"was": ""}
    moved = {"was": when(change.from_arrives_at, tz)}
    if change.to_arrives_at is not None:
        moved["arrival"] = when(change.to_arrives_at, tz)
    return moved


def _aftercare_text(session: Session, now: datetime) -> str:
    """The sheet as things stand when it is sent: the next session is one still to come."""
    if getattr(session, "aftercare", None) is None:
        return ""
    procedure = getattr(session, "procedure", None)
    return build_aftercare(session_day.aftercare_facts(session, procedure, now=now))


def _changes_context(message: OutboxMessage, tz: ZoneInfo) -> dict[str, object]:
    changes = course_changes(message)
    upcoming = [s for s in course_sessions(message) if s.status in OPEN_STATUSES]
    return {
        "changes": changes,
        # A moved or a cancelled session always has the time it had (``was``).
        "moved": [{**_visit(c.session, tz), "was": when(c.was, tz)} for c in changes
                  if c.what == "moved" and c.was],
        "cancelled": [when(c.was, tz) for c in changes if c.what == "cancelled" and c.was],
        "added": [_visit(c.session, tz) for c in changes if c.what == "added"],
        "upcoming": upcoming,
        "visits": [_visit(s, tz) for s in upcoming],
    }  # fmt: skip


def last_told_at(message: OutboxMessage) -> datetime | None:
    """When the patient was last sent their course's dates on this channel."""
    assert message.course_id is not None  # a course message (booked, changed) has its course
    told = OutboxMessage.objects.filter(
        course_id=message.course_id, channel=message.channel, status=Status.SENT,
        kind__in=[Kind.COURSE_BOOKED, Kind.SESSIONS_CHANGED],
    ).exclude(pk=message.pk)  # fmt: skip
    return max((m for m in told.values_list("claimed_at", flat=True) if m), default=None)


def course_changes(message: OutboxMessage) -> list[Change]:
    """The course's sessions the clinic moved, cancelled or added since the patient was last told.

    Read from the sessions' history at send time, so several changes in a row
    make one line per session: where it was, and where it is now. Only staff
    changes count: the patient's own cancellation through a link is news to
    nobody but the clinic.
    """
    assert message.course_id is not None  # a course message (booked, changed) has its course
    history = (
        SessionChange.objects.filter(
            session__course_id=message.course_id,
            kind__in=[ChangeKind.RESCHEDULED, ChangeKind.CANCELLED, ChangeKind.REPLACEMENT],
            changed_by__isnull=False,  # staff; older rows of the patient's own link have no user
        )
        .exclude(changed_by__username=SystemActor.PATIENT_LINK)
        .select_related("session")
    )
    since = last_told_at(message)
    if since is not None:
        history = history.filter(changed_at__gte=since)  # a tie is told twice, never lost
    first: dict[int, SessionChange] = {}
    last: dict[int, SessionChange] = {}
    for entry in history.order_by("changed_at", "id"):
        first.setdefault(entry.session_id, entry)
        last[entry.session_id] = entry
    changes = [_change(entry, last[pk]) for pk, entry in first.items()]
    return sorted((c for c in changes if c), key=lambda c: c.was or c.session.arrives_at)


def _change(first: SessionChange, last: SessionChange) -> Change | None:
    session, added = first.session, first.kind == ChangeKind.REPLACEMENT
    if session.status not in HOLDING_STATUSES:
        if added or last.kind != ChangeKind.CANCELLED:
            return None  # added and gone again, or the patient (not the clinic) cancelled it
        # The time it had when the clinic cancelled it, after any moves before that.
        return Change(session, "cancelled", last.from_arrives_at or session.arrives_at)
    if added:
        return Change(session, "added", None)
    if first.from_arrives_at == session.arrives_at:
        return None  # moved and moved back
    return Change(session, "moved", first.from_arrives_at)


def course_sessions(message: OutboxMessage) -> list[Session]:
    assert message.course is not None  # a course message (booked, changed) has its course
    return list(message.course.sessions.filter(status__in=HOLDING_STATUSES).order_by("arrives_at"))


def agenda_day(message: OutboxMessage) -> date:
    """The clinic day a daily agenda was made for, from its key ``agenda:{pk}:{date}``.

    Not its due time: a retry or a hold during an outage moves that (a manager's
    "retry all" sets it to now), and the agenda must still list its own day.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    _, _, named = message.dedupe_key.rpartition(":")
    try:
        return date.fromisoformat(named)
    except ValueError:  # not a key queue_daily_agendas wrote: the day it was written
        return message.created_at.astimezone(tz).date()


def agenda_sessions(message: OutboxMessage) -> list[Session]:
    assert message.practitioner_id is not None  # a daily agenda is a practitioner's
    tz = ZoneInfo(settings.TIME_ZONE)
    return list(
        Session.objects.arriving_on(agenda_day(message), tz)
        .filter(practitioner_id=message.practitioner_id, status__in=HOLDING_STATUSES)
        .select_related("course__area", "patient", "room")
        .order_by("arrives_at")
    )


def render(message: OutboxMessage, *, now: datetime | None = None) -> Any:
    """What the message's channel sends for it (an e-mail's parts, an SMS text, ...)."""
    return channels.get(message.channel).render(message, now=now)


def event_uid(session: Session) -> str:
    """The same for every message about a session, so calendars update it in place."""
    return f"session-{session.pk}@{message_host()}"


def _calendar(method: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microneedling course planner//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def calendar_mimetype(ics: bytes) -> str:
    """The attachment's type names the file's own METHOD (RFC 6047), so the two agree."""
    method = str(icalendar.Calendar.from_ical(ics)["METHOD"])
    return f"text/calendar; method={method}"


def _event(message: OutboxMessage, session: Session, clinic: Clinic) -> icalendar.Event:
    """What every event about a session carries: its UID, SEQUENCE and the clinic as organiser.

    RFC 5546 requires an ORGANIZER on PUBLISH and CANCEL events alike.
    """
    event = icalendar.Event()
    event.add("uid", event_uid(session))
    event.add("sequence", session.schedule_version)
    event.add("dtstamp", message.created_at)
    address = clinic.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = icalendar.vText(clinic.name)
    event.add("organizer", organizer)
    return event


def course_calendar(message: OutboxMessage, sessions: list[Session], clinic: Clinic) -> bytes:
    """One event per session, arrival to end, without health details.

    The UID stays with the session; SEQUENCE is its schedule version, so a
    calendar that has the event replaces it with a moved one. The summary
    names the session by its own number, which never changes: an event whose
    session did not change stays the same when another one is cancelled.
    """
    calendar = _calendar("PUBLISH")
    for session in sessions:
        event = _event(message, session, clinic)
        names = {"clinic": clinic.name, "number": session.number}
        event.add("dtstart", session.arrives_at)
        event.add("dtend", session.procedure_ends_at)
        event.add("summary", _("%(clinic)s: treatment session %(number)s") % names)
        if clinic.address:
            event.add("location", clinic.address.replace("\n", ", "))
        calendar.add_component(event)
    return calendar.to_ical()


def cancellation_calendar(message: OutboxMessage, changes: list[Change], clinic: Clinic) -> bytes:
    """METHOD:CANCEL for cancelled sessions: same UID, a higher SEQUENCE."""
    calendar = _calendar("CANCEL")
    for change in changes:
        session = change.session
        assert change.was is not None  # a cancelled session always has the time it had
        event = _event(message, session, clinic)
        event.add("dtstart", change.was)
        event.add("dtend", change.was + (session.procedure_ends_at - session.arrives_at))
        event.add("status", "CANCELLED")
        names = {"clinic": clinic.name, "number": session.number}
        event.add("summary", _("%(clinic)s: treatment session %(number)s (cancelled)") % names)
        calendar.add_component(event)
    return calendar.to_ical()
