"""Session statuses, defined once (pure: no models, no database).

``courses.models`` builds the ``Session.status`` choices from this enum and
re-exports it; ``courses.session_flow`` states its table of moves over the
same members, so a status cannot exist in one and not the other.
"""

from __future__ import annotations

from enum import EnumType, StrEnum
from typing import Any

from clinic.pure_i18n import gettext_lazy as _


class _SessionStatusType(EnumType):
    """``choices``, ``values`` and ``labels`` on the class, as Django's TextChoices has them
    (without importing Django: the state machine stays pure)."""

    @property
    def choices(cls) -> list[tuple[str, Any]]:
        """Lazy labels: the model's choices are built once, and read in each user's language."""
        return [(member.value, LABELS[member]) for member in SessionStatus]

    @property
    def values(cls) -> list[str]:
        return [member.value for member in SessionStatus]

    @property
    def labels(cls) -> list[str]:
        return [member.label for member in SessionStatus]


class SessionStatus(StrEnum, metaclass=_SessionStatusType):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    CREAM_ON = "cream_on"
    CREAM_OFF = "cream_off"
    IN_PROCEDURE = "in_procedure"
    COMPLETED = "completed"
    STOPPED = "stopped"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """What people read, as Django's choices show it (``get_status_display``)."""
        return str(LABELS[self])


LABELS = {
    SessionStatus.SCHEDULED: _("Scheduled"),
    SessionStatus.CONFIRMED: _("Confirmed"),
    SessionStatus.CHECKED_IN: _("Checked in"),
    SessionStatus.CREAM_ON: _("Cream on"),
    SessionStatus.CREAM_OFF: _("Cream off"),
    SessionStatus.IN_PROCEDURE: _("In procedure"),
    SessionStatus.COMPLETED: _("Completed"),
    SessionStatus.STOPPED: _("Stopped short"),
    SessionStatus.NO_SHOW: _("No-show"),
    SessionStatus.CANCELLED: _("Cancelled"),
}

# Sessions that hold their practitioner, room and patient time.
HOLDING_STATUSES = [
    s for s in SessionStatus if s not in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)
]
# Sessions that can still be moved, cancelled or marked no-show.
OPEN_STATUSES = [SessionStatus.SCHEDULED, SessionStatus.CONFIRMED]
