"""The session-day state machine and its timing rules (pure; DOMAIN.md procedure).

scheduled -> confirmed (optional) -> checked in -> [cream on -> cream off] ->
in procedure -> completed, or stopped short with a reason; no-show and
cancelled only from the states before check-in; a confirmed session moved to
another time is scheduled again. The statuses are ``courses.statuses.SessionStatus``
and every status change is a move in ``MOVES`` (``move``/``check_move``).

Needling may not start before the cream is washed off, and the wash-off may
not be recorded before the exposure time has passed. A session is complete
when every treated zone has the required passes in each direction, or a
practitioner says why it stopped; more passes than required are a deviation
that needs a note.

Every step is taken on the session's booked day (in the clinic's time zone) and
after the course's earlier sessions are finished (``check_session_day``), and
the procedure steps follow the fixed order of ``PROCEDURE_STEPS``
(``check_order``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from courses.statuses import SessionStatus

# The table of moves: every status change of a session is one of these. A
# confirmed session that is moved to another time asks for confirmation again
# (CONFIRMED -> SCHEDULED, ``reopen_after_move``); nothing else goes backwards.
MOVES: dict[str, frozenset[SessionStatus]] = {
    SessionStatus.SCHEDULED: frozenset({
        SessionStatus.CONFIRMED, SessionStatus.CHECKED_IN,
        SessionStatus.NO_SHOW, SessionStatus.CANCELLED,
    }),
    SessionStatus.CONFIRMED: frozenset({
        SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN,
        SessionStatus.NO_SHOW, SessionStatus.CANCELLED,
    }),
    SessionStatus.CHECKED_IN: frozenset({SessionStatus.CREAM_ON, SessionStatus.IN_PROCEDURE}),
    SessionStatus.CREAM_ON: frozenset({SessionStatus.CREAM_OFF}),
    SessionStatus.CREAM_OFF: frozenset({SessionStatus.IN_PROCEDURE}),
    SessionStatus.IN_PROCEDURE: frozenset({SessionStatus.COMPLETED, SessionStatus.STOPPED}),
    SessionStatus.COMPLETED: frozenset(),
    SessionStatus.STOPPED: frozenset(),
    SessionStatus.NO_SHOW: frozenset(),
    SessionStatus.CANCELLED: frozenset(),
}  # fmt: skip
DIRECTIONS = ("horizontal", "vertical", "diagonal")


class FlowError(Exception):
    """A move the session may not make now; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_move(current: str, target: str) -> None:
    """Refuse a status change the table of moves (``MOVES``) does not list."""
    if target not in MOVES.get(current, frozenset()):
        raise FlowError(
            "invalid_move",
            f"A session that is {current.replace('_', ' ')} cannot become "
            f"{target.replace('_', ' ')}.",
        )


class HasStatus(Protocol):
    status: str


def move(session: HasStatus, target: str) -> None:
    """Change ``session.status`` to ``target`` if the table allows it (the caller saves).

    Every status change of a session goes through here (or ``check_move`` first).
    """
    check_move(session.status, target)
    session.status = target


def reopen_after_move(session: HasStatus) -> None:
    """A session moved to another time is scheduled again: a confirmation was for the old
    time, so a confirmed session goes back to scheduled; a scheduled one stays as it is."""
    if session.status != SessionStatus.SCHEDULED:
        move(session, SessionStatus.SCHEDULED)


@dataclass(frozen=True)
class EarlierSession:
    """An earlier session of the same course that is not finished yet."""

    number: int
    booked_on: date  # local
    status: str


# A session's photos: taken once it has begun (before, during, after, or at a
# follow-up), or on its day before check-in; never for one that did not happen.
NO_PHOTOS = (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)
NOT_BEGUN = (SessionStatus.SCHEDULED, SessionStatus.CONFIRMED)


def photo_refusal(*, status: str, booked_on: date, today: date) -> str | None:
    """Why a photo may not be added to a session now, or None (days are the clinic's)."""
    if status in NO_PHOTOS:
        return "This session did not take place (cancelled or a no-show): it has no photos."
    if status in NOT_BEGUN and booked_on != today:
        return (
            f"This session is booked for {booked_on:%a %d %b %Y}: its photos are taken on that "
            "day or once it has begun."
        )
    return None


def check_session_day(
    *, booked_on: date, today: date, unfinished_earlier: Sequence[EarlierSession]
) -> None:
    """A session is performed on its booked day, and the sessions of a course in their order.

    DOMAIN.md, the in-clinic procedure: days are the clinic's local days. A session
    early or late is refused; staff move it to today first (or mark it no-show).
    An earlier session holds this one back while it has not happened (scheduled or
    confirmed: finish, move or mark it no-show first) or is under way today; one
    left unfinished on a past day can no longer change, so it does not block the
    course for good.
    """
    booked = f"{booked_on:%a %d %b %Y}"
    if today < booked_on:
        raise FlowError(
            "not_its_day",
            f"This session is booked for {booked}, not today: a session is run on its own day. "
            "If the patient is here for it today, move the session to today first.",
        )
    if today > booked_on:
        raise FlowError(
            "not_its_day",
            f"This session was booked for {booked}, and that day has passed: a session is run "
            "on its own day. Move it to a new date first, or mark it as a no-show.",
        )
    blocking = [
        e
        for e in unfinished_earlier
        if e.status in (SessionStatus.SCHEDULED, SessionStatus.CONFIRMED) or e.booked_on >= today
    ]
    if blocking:
        first = blocking[0]
        raise FlowError(
            "earlier_session_open",
            f"Session {first.number} of this course ({first.booked_on:%a %d %b %Y}) is "
            f"{first.status.replace('_', ' ')}, not finished: the sessions of a course run in "
            "order. Finish it or mark it as a no-show, or move this session, first.",
        )


# The fixed order of the procedure (DOMAIN.md): cream (when needed) -> wash-off ->
# antiseptic -> product -> rolling -> antiseptic.
CREAM, WASH_OFF, ANTISEPTIC_BEFORE = "cream", "wash_off", "antiseptic_before"
PRODUCT, ROLLING, ANTISEPTIC_AFTER = "product", "rolling", "antiseptic_after"
PROCEDURE_STEPS = (CREAM, WASH_OFF, ANTISEPTIC_BEFORE, PRODUCT, ROLLING, ANTISEPTIC_AFTER)
STEP_NAMES = {
    CREAM: "the anaesthetic cream",
    WASH_OFF: "the cream's wash-off",
    ANTISEPTIC_BEFORE: "the antiseptic before needling",
    PRODUCT: "the product and device",
    ROLLING: "the rolling (passes)",
    ANTISEPTIC_AFTER: "the antiseptic after needling",
}
MISSING = {  # step not done yet: (code, what to do)
    CREAM: ("cream_required", "This needle length needs anaesthetic cream: put it on and "
            "wash it off first."),
    WASH_OFF: ("cream_required", "Wash the cream off first."),
    ANTISEPTIC_BEFORE: ("antiseptic_before", "Treat the area with antiseptic first."),
    PRODUCT: ("device_missing", "Record the product and choose the device first."),
    ROLLING: ("no_zones", "Record the passes for at least one treated zone first."),
    ANTISEPTIC_AFTER: ("antiseptic_after", "Treat the skin with antiseptic again first."),
}  # fmt: skip
ORDER_TEXT = "cream (when needed), wash-off, antiseptic, product, rolling, antiseptic"


def check_order(step: str, *, done: Collection[str], cream_used: bool) -> None:
    """``step`` may be recorded now: every step before it is done, none after it.

    The cream steps count only when cream is needed or was put on.
    """
    index = PROCEDURE_STEPS.index(step)
    later = [s for s in PROCEDURE_STEPS[index + 1 :] if s in done]
    if later:
        raise FlowError(
            "out_of_order",
            f"{STEP_NAMES[later[0]].capitalize()} is already recorded, so "
            f"{STEP_NAMES[step]} can no longer be: the order is {ORDER_TEXT}.",
        )
    for earlier in PROCEDURE_STEPS[:index]:
        if earlier in (CREAM, WASH_OFF) and not cream_used:
            continue
        if earlier not in done:
            code, message = MISSING[earlier]
            raise FlowError(code, f"{message} The order is {ORDER_TEXT}.")


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
    if cream_required and current != SessionStatus.CREAM_OFF:
        raise FlowError(
            "cream_required",
            "This needle length needs anaesthetic cream: put it on and wash it off first.",
        )
    check_move(current, SessionStatus.IN_PROCEDURE)
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
    note: str = ""  # why more passes than required were rolled

    def short_directions(self, required: int) -> list[str]:
        return [d for d in DIRECTIONS if getattr(self, d) < required]

    def over_directions(self, required: int) -> list[str]:
        return [d for d in DIRECTIONS if getattr(self, d) > required]


def _describe(zones: Iterable[ZonePasses], required: int, off: str) -> list[str]:
    """Zones with directions ``off`` the protocol, as "forehead (vertical 5/7)"."""
    found = []
    for zone in zones:
        directions = getattr(zone, off)(required)
        if directions:
            parts = ", ".join(f"{d} {getattr(zone, d)}/{required}" for d in directions)
            found.append(f"{zone.zone} ({parts})")
    return found


def incomplete_zones(zones: Iterable[ZonePasses], required: int) -> list[str]:
    """Zones missing passes, as "forehead (vertical 5/7)"."""
    return _describe(zones, required, "short_directions")


def over_zones(zones: Iterable[ZonePasses], required: int) -> list[str]:
    """Zones rolled more than required, as "forehead (vertical 9/7)": a deviation to flag."""
    return _describe(zones, required, "over_directions")


def check_passes(zone: ZonePasses, *, required: int) -> None:
    """More passes than the protocol's are recorded only with a note saying why (DOMAIN.md)."""
    if not zone.zone.strip():
        raise FlowError("zone_missing", "Name the zone (for example: forehead).")
    over = over_zones([zone], required)
    if over and not zone.note.strip():
        raise FlowError(
            "passes_over",
            f"More than {required} passes is a deviation from the protocol: {over[0]}. "
            "Write in the note why, or correct the count.",
        )


def check_finish(
    zones: list[ZonePasses], *, required: int, antiseptic_after: bool, stop_reason: str
) -> SessionStatus:
    """The status the session ends in: completed, or stopped with a reason."""
    if not antiseptic_after:
        raise FlowError(
            "antiseptic_after", "Treat the skin with antiseptic again before finishing."
        )
    if not zones:
        raise FlowError("no_zones", "Record the passes for at least one treated zone.")
    for zone in zones:
        check_passes(zone, required=required)
    missing = incomplete_zones(zones, required)
    if not missing:
        return SessionStatus.COMPLETED
    if not stop_reason.strip():
        raise FlowError(
            "passes_incomplete",
            f"Not every zone has {required} passes in each direction: {'; '.join(missing)}. "
            "Give the reason the session stopped short.",
        )
    return SessionStatus.STOPPED
