"""The e-mail channel: subject, text and HTML bodies, calendar files, sent over SMTP.

Templates: ``templates/emails/<kind>_subject.txt``, ``_body.txt``, ``_body.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from clinic.models import Clinic
from clinic.site import message_host
from courses.models import Session
from patients.models import Patient
from reminders import content
from reminders.channels.email import smtp
from reminders.models import Channel, Kind, OutboxMessage


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    ics: bytes | None = None
    unsubscribe_url: str = ""
    cancelled_ics: bytes | None = None


class EmailChannel:
    key = Channel.EMAIL.value
    label = Channel.EMAIL.label
    short_texts = False

    def chosen(self, patient: Patient) -> bool:
        return patient.wants_email

    def consented(self, patient: Patient) -> bool:
        return patient.email_consent_at is not None

    def address(self, patient: Patient) -> str | None:
        return patient.email or None

    def withdraw_consent(self, patient: Patient) -> None:
        patient.email_consent_at = None
        patient.save(update_fields=["email_consent_at", "updated_at"])

    def render(self, message: OutboxMessage, *, now: datetime | None = None) -> Email:
        with content.written_for(message):
            return self._render(message, now=now)

    def _render(self, message: OutboxMessage, *, now: datetime | None) -> Email:
        clinic = Clinic.cached()
        context = content.build_context(message, clinic, now=now)
        name = message.kind
        ics, cancelled_ics = _calendars(message, context, clinic)
        return Email(
            subject=" ".join(render_to_string(f"emails/{name}_subject.txt", context).split()),
            text=render_to_string(f"emails/{name}_body.txt", context),
            html=render_to_string(f"emails/{name}_body.html", context),
            ics=ics,
            unsubscribe_url=str(context.get("unsubscribe_url", "")),
            cancelled_ics=cancelled_ics,
        )

    def send(self, rendered: Email, *, to: str, reference: str) -> str:
        message_id = f"<{reference}@{message_host()}>"
        headers = {"Message-ID": message_id}
        if rendered.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(
            subject=rendered.subject, body=rendered.text, to=[to], headers=headers
        )
        email.attach_alternative(rendered.html, "text/html")
        for name, ics in (("course.ics", rendered.ics), ("cancelled.ics", rendered.cancelled_ics)):
            if ics:
                email.attach(name, ics, content.calendar_mimetype(ics))
        smtp.deliver(email)
        return message_id


def _calendars(
    message: OutboxMessage, context: dict[str, object], clinic: Clinic
) -> tuple[bytes | None, bytes | None]:
    """The course's calendar file and one cancelling the sessions the clinic cancelled."""
    ics = cancelled_ics = None
    if message.kind == Kind.COURSE_BOOKED:
        sessions = cast("list[Session]", context["course_sessions"])
        ics = content.course_calendar(message, sessions, clinic)
    if message.kind == Kind.SESSIONS_CHANGED:
        upcoming = cast("list[Session]", context["upcoming"])
        if upcoming:
            ics = content.course_calendar(message, upcoming, clinic)
        changes = cast("list[content.Change]", context["changes"])
        gone = [c for c in changes if c.what == "cancelled"]
        if gone:
            cancelled_ics = content.cancellation_calendar(message, gone, clinic)
    return ics, cancelled_ics
