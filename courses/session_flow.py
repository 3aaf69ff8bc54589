"""The session-day state machine and its timing rules (pure; DOMAIN.md procedure).

scheduled -> confirmed (optional) -> checked in -> [cream on -> cream off] ->
in procedure -> completed, or stopped short with a reason; no-show and
cancelled only from the states before check-in. Needling may not start before
the cream is washed off, and the wash-off may not be recorded before the
exposure time has passed. A session is complete when every treated zone has
the required passes in each direction, or a practitioner says why it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

SCHEDULED, CONFIRMED, CHECKED_IN = "scheduled", "confirmed", "checked_in"
CREAM_ON, CREAM_OFF, IN_PROCEDURE = "cream_on", "cream_off", "in_procedure"
COMPLETED, STOPPED, NO_SHOW, CANCELLED = "completed", "stopped", "no_show", "cancelled"

MOVES: dict[str, frozenset[str]] = {
    SCHEDULED: frozenset({CONFIRMED, CHECKED_IN, NO_SHOW, CANCELLED}),
    CONFIRMED: frozenset({CHECKED_IN, NO_SHOW, CANCELLED}),
    CHECKED_IN: frozenset({CREAM_ON, IN_PROCEDURE}),
    CREAM_ON: frozenset({CREAM_OFF}),
    CREAM_OFF: frozenset({IN_PROCEDURE}),
    IN_PROCEDURE: frozenset({COMPLETED, STOPPED}),
}
DIRECTIONS = ("horizontal", "vertical", "diagonal")


class FlowError(Exception):
    """A move the session may not make now; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_move(current: str, target: str) -> None:
    if target not in MOVES.get(current, frozenset()):
        raise FlowError(
            "invalid_move",
            f"A session that is {current.replace('_', ' ')} cannot become "
            f"{target.replace('_', ' ')}.",
        )


def wash_off_due(cream_on_at: datetime, cream_minutes: int) -> datetime:
    return cream_on_at + timedelta(minutes=cream_minutes)


def check_wash_off(cream_on_at: datetime, now: datetime, cream_minutes: int) -> None:
    """The cream stays on for the full exposure: a wash-off recorded early is refused."""
    due = wash_off_due(cream_on_at, cream_minutes)
    if now < due:
        left = due - now
        minutes, seconds = divmod(int(left.total_seconds()) + (left.microseconds > 0), 60)
        raise FlowError(
            "cream_too_early",
            f"The cream has {minutes} min {seconds:02d} s left; wash it off at {due:%H:%M:%S}.",
        )


def check_start(
    current: str, *, cream_required: bool, antiseptic_before: bool, device_chosen: bool
) -> None:
    """Needling starts only after antiseptic, with a device, and after the cream is off."""
    if cream_required and current != CREAM_OFF:
        raise FlowError(
            "cream_required",
            "This needle length needs anaesthetic cream: put it on and wash it off first.",
        )
    check_move(current, IN_PROCEDURE)
    if not antiseptic_before:
        raise FlowError("antiseptic_before", "Treat the area with antiseptic before needling.")
    if not device_chosen:
        raise FlowError("device_missing", "Choose the device before needling.")


@dataclass(frozen=True)
class ZonePasses:
    zone: str
    horizontal: int
    vertical: int
    diagonal: int

    def short_directions(self, required: int) -> list[str]:
        return [d for d in DIRECTIONS if getattr(self, d) < required]


def incomplete_zones(zones: Iterable[ZonePasses], required: int) -> list[str]:
    """Zones missing passes, as "forehead (vertical 5/7)"."""
    found = []
    for zone in zones:
        short = zone.short_directions(required)
        if short:
            parts = ", ".join(f"{d} {getattr(zone, d)}/{required}" for d in short)
            found.append(f"{zone.zone} ({parts})")
    return found


def check_finish(
    zones: list[ZonePasses], *, required: int, antiseptic_after: bool, stop_reason: str
) -> str:
    """The status the session ends in: completed, or stopped with a reason."""
    if not antiseptic_after:
        raise FlowError(
            "antiseptic_after", "Treat the skin with antiseptic again before finishing."
        )
    if not zones:
        raise FlowError("no_zones", "Record the passes for at least one treated zone.")
    missing = incomplete_zones(zones, required)
    if not missing:
        return COMPLETED
    if not stop_reason.strip():
        raise FlowError(
            "passes_incomplete",
            f"Not every zone has {required} passes in each direction: {'; '.join(missing)}. "
            "Give the reason the session stopped short.",
        )
    return STOPPED
