"""The SMS channel: one short text per message, sent through the configured backend.

Templates: ``templates/sms/<kind>.txt``. Backends (a development file, an HTTP
gateway) are in ``backends.py``, chosen by ``SMS_BACKEND``.
"""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string

from clinic.models import Clinic
from patients.models import Patient, can_take_sms
from reminders import content
from reminders.channels import ChannelDown, PermanentFailure, TemporaryFailure
from reminders.channels.sms.backends import SmsError, get_backend
from reminders.models import Channel, OutboxMessage, SmsLimit
from reminders.sms_segments import count_segments


class TooLong(PermanentFailure):
    """The text takes more segments than the clinic allows for its kind: it is not sent
    (never cut short, which could drop the link or the time); the row fails saying so."""


def check_length(text: str, kind: str) -> None:
    """Refuse a text over the clinic's segment limit for ``kind`` (reminders.SmsLimit)."""
    counted = count_segments(text)
    limit = SmsLimit.for_kind(kind)
    if counted.segments > limit:
        raise TooLong(
            f"the {kind} text takes {counted.segments} SMS segments ({counted.units} "
            f"{counted.encoding} units), over the clinic's limit of {limit}; not sent"
        )


class SmsChannel:
    key = Channel.SMS.value
    label = Channel.SMS.label
    short_texts = True

    def chosen(self, patient: Patient) -> bool:
        return patient.wants_sms

    def consented(self, patient: Patient) -> bool:
        return patient.sms_consent_at is not None

    def address(self, patient: Patient) -> str | None:
        """A number that can take a text message: not a landline or service line."""
        return str(patient.phone) if can_take_sms(patient.phone or None) else None

    def withdraw_consent(self, patient: Patient) -> None:
        patient.sms_consent_at = None
        patient.save(update_fields=["sms_consent_at", "updated_at"])

    def render(self, message: OutboxMessage, *, now: datetime | None = None) -> str:
        """The text in the patient's language; refused (``TooLong``) past the kind's limit."""
        with content.written_for(message):
            context = content.build_context(message, Clinic.cached(), now=now)
            text = render_to_string(f"sms/{message.kind}.txt", context).strip()
        check_length(text, message.kind)
        return text

    def send(self, rendered: str, *, to: str, reference: str) -> str:
        try:
            return get_backend().send(to=to, text=rendered, reference=reference)
        except SmsError as error:
            if error.gateway_down:
                raise ChannelDown(str(error)) from None
            raise (TemporaryFailure if error.temporary else PermanentFailure)(str(error)) from None
