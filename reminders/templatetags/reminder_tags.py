"""What the staff see of a patient's reminders: the outbox's own view of each channel."""

from __future__ import annotations

from django import template
from django_stubs_ext import StrOrPromise

from patients.models import Patient
from reminders import services

register = template.Library()


@register.simple_tag
def reminder_channel_states(patient: Patient) -> list[tuple[StrOrPromise, str]]:
    """(channel label, state) per chosen channel; see services.channel_states."""
    return services.channel_states(patient)
