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

from clinic.pure_i18n import date_text, gettext, gettext_lazy, pgettext_lazy
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
DIRECTION_WORDS = {
    "horizontal": gettext_lazy("horizontal"),
    "vertical": gettext_lazy("vertical"),
    "diagonal": gettext_lazy("diagonal"),
}


# A status as a sentence says it ("a session that is checked in"); the context keeps
# these apart from the capitalised labels of the status column.
STATUS_WORDS: dict[str, object] = {
    SessionStatus.SCHEDULED: pgettext_lazy("a session that is", "scheduled"),
    SessionStatus.CONFIRMED: pgettext_lazy("a session that is", "confirmed"),
    SessionStatus.CHECKED_IN: pgettext_lazy("a session that is", "checked in"),
    SessionStatus.CREAM_ON: pgettext_lazy("a session that is", "cream on"),
    SessionStatus.CREAM_OFF: pgettext_lazy("a session that is", "cream off"),
    SessionStatus.IN_PROCEDURE: pgettext_lazy("a session that is", "in procedure"),
    SessionStatus.COMPLETED: pgettext_lazy("a session that is", "completed"),
    SessionStatus.STOPPED: pgettext_lazy("a session that is", "stopped"),
    SessionStatus.NO_SHOW: pgettext_lazy("a session that is", "no show"),
    SessionStatus.CANCELLED: pgettext_lazy("a session that is", "cancelled"),
}


def status_words(status: str) -> str:
    """The status in a sentence, in the active language (an unknown one as it is)."""
    words = STATUS_WORDS.get(status)
    return str(words) if words is not None else status.replace("_", " ")


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
            gettext("A session that is %(current)s cannot become %(target)s.")
            % {"current": status_words(current), "target": status_words(target)},
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
        return gettext(
            "This session did not take place (cancelled or a no-show): it has no photos."
        )
    if status in NOT_BEGUN and booked_on != today:
        return gettext(
            "This session is booked for %(day)s: its photos are taken on that "
            "day or once it has begun."
        ) % {"day": date_text(booked_on, "D d M Y")}
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
    booked = date_text(booked_on, "D d M Y")
    if today < booked_on:
        raise FlowError(
            "not_its_day",
            gettext(
                "This session is booked for %(day)s, not today: a session is run on its own day. "
                "If the patient is here for it today, move the session to today first."
            )
            % {"day": booked},
        )
    if today > booked_on:
        raise FlowError(
            "not_its_day",
            gettext(
                "This session was booked for %(day)s, and that day has passed: a session is run "
                "on its own day. Move it to a new date first, or mark it as a no-show."
            )
            % {"day": booked},
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
            gettext(
                "Session %(number)d of this course (%(day)s) is %(status)s, not finished: the "
                "sessions of a course run in order. Finish it or mark it as a no-show, or move "
                "this session, first."
            )
            % {
                "number": first.number,
                "day": date_text(first.booked_on, "D d M Y"),
                "status": status_words(first.status),
            },
        )


# The fixed order of the procedure (DOMAIN.md): cream (when needed) -> wash-off ->
# antiseptic -> product -> rolling -> antiseptic.
CREAM, WASH_OFF, ANTISEPTIC_BEFORE = "cream", "wash_off", "antiseptic_before"
PRODUCT, ROLLING, ANTISEPTIC_AFTER = "product", "rolling", "antiseptic_after"
PROCEDURE_STEPS = (CREAM, WASH_OFF, ANTISEPTIC_BEFORE, PRODUCT, ROLLING, ANTISEPTIC_AFTER)
STEP_NAMES = {
    CREAM: gettext_lazy("the anaesthetic cream"),
    WASH_OFF: gettext_lazy("the cream's wash-off"),
    ANTISEPTIC_BEFORE: gettext_lazy("the antiseptic before needling"),
    PRODUCT: gettext_lazy("the product and device"),
    ROLLING: gettext_lazy("the rolling (passes)"),
    ANTISEPTIC_AFTER: gettext_lazy("the antiseptic after needling"),
}
MISSING = {  # step not done yet: (code, what to do)
    CREAM: ("cream_required", gettext_lazy("This needle length needs anaesthetic cream: put it "
            "on and wash it off first.")),
    WASH_OFF: ("cream_required", gettext_lazy("Wash the cream off first.")),
    ANTISEPTIC_BEFORE: ("antiseptic_before", gettext_lazy("Treat the area with antiseptic first.")),
    PRODUCT: ("device_missing", gettext_lazy("Record the product and choose the device first.")),
    ROLLING: ("no_zones", gettext_lazy("Record the passes for at least one treated zone first.")),
    ANTISEPTIC_AFTER: ("antiseptic_after",
                       gettext_lazy("Treat the skin with antiseptic again first.")),
}  # fmt: skip
ORDER_TEXT = gettext_lazy("cream (when needed), wash-off, antiseptic, product, rolling, antiseptic")


def check_order(step: str, *, done: Collection[str], cream_used: bool) -> None:
    """``step`` may be recorded now: every step before it is done, none after it.

    The cream steps count only when cream is needed or was put on.
    """
    index = PROCEDURE_STEPS.index(step)
    later = [s for s in PROCEDURE_STEPS[index + 1 :] if s in done]
    if later:
        raise FlowError(
            "out_of_order",
            gettext(
                "%(done)s is already recorded, so %(step)s can no longer be: the order is "
                "%(order)s."
            )
            % {
                "done": _capfirst(str(STEP_NAMES[later[0]])),
                "step": STEP_NAMES[step],
                "order": ORDER_TEXT,
            },
        )
    for earlier in PROCEDURE_STEPS[:index]:
        if earlier in (CREAM, WASH_OFF) and not cream_used:
            continue
        if earlier not in done:
            code, message = MISSING[earlier]
            raise FlowError(
                code,
                gettext("%(what_to_do)s The order is %(order)s.")
                % {"what_to_do": message, "order": ORDER_TEXT},
            )


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


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
            gettext("The cream has %(minutes)d min %(seconds)02d s left; wash it off at %(due)s.")
            % {"minutes": minutes, "seconds": seconds, "due": f"{due:%H:%M:%S}"},
        )


def check_start(
    current: str, *, cream_required: bool, antiseptic_before: bool, device_chosen: bool
) -> None:
    """Needling starts only after antiseptic, with a device, and after the cream is off."""
    if cream_required and current != SessionStatus.CREAM_OFF:
        raise FlowError(
            "cream_required",
            gettext("This needle length needs anaesthetic cream: put it on and wash it off first."),
        )
    check_move(current, SessionStatus.IN_PROCEDURE)
    if not antiseptic_before:
        raise FlowError(
            "antiseptic_before", gettext("Treat the area with antiseptic before needling.")
        )
    if not device_chosen:
        raise FlowError("device_missing", gettext("Choose the device before needling."))


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
            parts = ", ".join(
                f"{DIRECTION_WORDS[d]} {getattr(zone, d)}/{required}" for d in directions
            )
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
        raise FlowError("zone_missing", gettext("Name the zone (for example: forehead)."))
    over = over_zones([zone], required)
    if over and not zone.note.strip():
        raise FlowError(
            "passes_over",
            gettext(
                "More than %(required)d passes is a deviation from the protocol: %(zone)s. "
                "Write in the note why, or correct the count."
            )
            % {"required": required, "zone": over[0]},
        )


def check_finish(
    zones: list[ZonePasses], *, required: int, antiseptic_after: bool, stop_reason: str
) -> SessionStatus:
    """The status the session ends in: completed, or stopped with a reason."""
    if not antiseptic_after:
        raise FlowError(
            "antiseptic_after", gettext("Treat the skin with antiseptic again before finishing.")
        )
    if not zones:
        raise FlowError("no_zones", gettext("Record the passes for at least one treated zone."))
    for zone in zones:
        check_passes(zone, required=required)
    missing = incomplete_zones(zones, required)
    if not missing:
        return SessionStatus.COMPLETED
    if not stop_reason.strip():
        raise FlowError(
            "passes_incomplete",
            gettext(
                "Not every zone has %(required)d passes in each direction: %(zones)s. "
                "Give the reason the session stopped short."
            )
            % {"required": required, "zones": "; ".join(missing)},
        )
    return SessionStatus.STOPPED
