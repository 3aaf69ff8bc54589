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
from reminders.models import Channel, OutboxMessage


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
        context = content.build_context(message, Clinic.cached(), now=now)
        return render_to_string(f"sms/{message.kind}.txt", context).strip()

    def send(self, rendered: str, *, to: str, reference: str) -> str:
        try:
            return get_backend().send(to=to, text=rendered, reference=reference)
        except SmsError as error:
            if error.gateway_down:
                raise ChannelDown(str(error)) from None
            raise (TemporaryFailure if error.temporary else PermanentFailure)(str(error)) from None
