"""Reminder channels: one interface, one folder per transport, one registry.

A channel knows whether a patient chose it, consented to it and has a usable
address for it; how to turn an outbox row into what it sends; and how to send
it, raising ``ChannelDown`` (the transport is down: the channel may pause),
``TemporaryFailure`` (this message later) or ``PermanentFailure``.
The outbox loops over ``all()`` and looks rows up with ``get(key)``, so a new
channel is one folder and a ``register`` call in ``reminders/apps.py``.

Its key is the value stored in ``OutboxMessage.channel`` (at most 10
characters); ``reminders.models.Channel`` lists the keys for the admin's
labels and filters, so a new channel also adds one entry there.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from patients.models import Patient
    from reminders.models import OutboxMessage


class TemporaryFailure(Exception):
    """The transport answered but refused this message for now (a full mailbox,
    greylisting): the outbox retries it with backoff, and its attempts count."""


class ChannelDown(TemporaryFailure):
    """The relay or gateway itself is not taking messages (unreachable, timed out, 421,
    a 4xx to the connection, MAIL FROM or DATA): counts for the channel's circuit
    breaker (``reminders.breaker``), not against the message's attempts once paused."""


class PermanentFailure(Exception):
    """The transport refused the message for good: the row ends as failed."""


class UnknownChannel(LookupError):
    """No channel is registered under that key."""


class Channel(Protocol):
    key: str  # the OutboxMessage.channel value

    @property
    def label(self) -> StrOrPromise:
        """What patients and staff read ("E-mail"), in their language."""

    # Whether this is the channel for short texts: the short reminder on the day
    # goes only there when the patient chose it, not on the other channels too.
    short_texts: bool

    def chosen(self, patient: Patient) -> bool:
        """Whether the patient asked for reminders on this channel."""

    def consented(self, patient: Patient) -> bool:
        """Whether the patient's consent to this channel is on record."""

    def address(self, patient: Patient) -> str | None:
        """Where to send to the patient, or None when they have no usable address."""

    def withdraw_consent(self, patient: Patient) -> None:
        """Clear the consent on the patient's (locked) row and save it."""

    def render(self, message: OutboxMessage, *, now: datetime | None = None) -> Any:
        """What to send for this row, rendered at send time."""

    def send(self, rendered: Any, *, to: str, reference: str) -> str:
        """Send; return the provider's message id; raise Temporary/PermanentFailure."""


_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    if channel.key in _registry:
        raise ValueError(f"a channel {channel.key!r} is already registered")
    _registry[channel.key] = channel
    return channel


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get(key: str) -> Channel:
    """The registered channel with this key (an outbox row's ``channel``)."""
    try:
        return _registry[key]
    except KeyError:
        raise UnknownChannel(f"no channel {key!r} is registered") from None


def is_registered(key: str) -> bool:
    return key in _registry


def all() -> list[Channel]:  # shadows the builtin inside this module only
    """Every registered channel, in registration order (e-mail first)."""
    return list(_registry.values())


def reachable(patient: Patient) -> list[tuple[str, str]]:
    """(channel key, address) for each channel the patient chose, consented to and can take.

    The one rule the outbox follows when it writes a row and again when it sends it.
    """
    found = []
    for channel in all():
        if channel.chosen(patient) and channel.consented(patient):
            address = channel.address(patient)
            if address:
                found.append((channel.key, address))
    return found


def takes_short_reminder(key: str, patient: Patient) -> bool:
    """Whether the short reminder on the day goes to the patient on this channel.

    On a short-text channel always; on another only if the patient chose no
    short-text channel (the short reminder goes by SMS to patients who chose SMS).
    """
    if key not in _registry or _registry[key].short_texts:
        return True
    return not any(other.short_texts and other.chosen(patient) for other in all())
