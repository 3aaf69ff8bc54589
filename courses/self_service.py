"""Which times a patient may move one session of a booked course to (issue #17). Pure.

The patient's self-reschedule keeps the course's rules without anyone to
override them: every gap touching a moved session stays inside the course's
window (``[minimum for the needle, maximum]``, or the wider window a
practitioner's written gap override recorded: ``courses.booking.plan_request``),
each slot is inside hours and free of clashes (``planning.fit_slot``, the
planner's one test), and nothing is offered, nor moved, within the clinic's
self-service cut-off of now. When a wanted day would break the gap to the next
session, the later sessions move with it ("this and following",
``planning.plan_following``, the staff's rule too) and the offer carries the
whole new schedule.

The search and the booking service (``courses.rescheduling.reschedule_by_patient``)
call the same functions here, so an offered slot and an accepted one are judged
alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from courses.planning import (
    Calendar,
    NoSlotError,
    PlanRequest,
    Proposal,
    Slot,
    fit_slot,
    plan_following,
)

# How many times the page offers at most (one a day, the earliest days first).
MAX_OFFERS = 12
# How many days that move the later sessions too one search plans at most. Each such
# day re-plans the rest of the course (``plan_following``, a search over weeks of the
# calendar), which costs far more than a day that moves one session; past this many,
# the search offers only days that keep the later sessions where they are.
MAX_FOLLOWING_PLANS = 3


@dataclass(frozen=True)
class Offer:
    """A time the session can move to, with the later sessions' new times if they move too."""

    day: date
    slot: Slot
    practitioner_id: int
    following: tuple[Proposal, ...] = ()

    @property
    def scope(self) -> str:
        return "following" if self.following else "this"


def cutoff_moment(now: datetime, cutoff_hours: int) -> datetime:
    """Nothing is moved from, or to, a time earlier than this."""
    return now + timedelta(hours=cutoff_hours)


def within_cutoff(arrives_at: datetime, *, now: datetime, cutoff_hours: int) -> bool:
    """The session (or a wanted time) is too close for the patient to move it themselves."""
    return arrives_at < cutoff_moment(now, cutoff_hours)


def gap_faults(
    days: Sequence[date], moved: Sequence[int], low: int, high: int
) -> list[tuple[int, int]]:
    """The gaps touching a moved session that fall outside ``[low, high]`` days.

    ``days`` are the local days of the course's sessions that hold a time, in
    order, as they would be after the move; ``moved`` their positions (0-based)
    that move. Each fault is (position of the later session, its gap in days).
    Two sessions are never on one day, whatever the window. Gaps between
    sessions that stay where they are are the clinic's business, not the patient's.
    """
    moving = set(moved)
    faults = []
    for position in range(1, len(days)):
        if position not in moving and position - 1 not in moving:
            continue
        gap = (days[position] - days[position - 1]).days
        if not max(low, 1) <= gap <= high:
            faults.append((position, gap))
    return faults


def keeps_next_gap(days: Sequence[date], index: int, day: date, low: int, high: int) -> bool:
    """Moving only session ``index`` to ``day`` keeps the gap to the next one (if any)."""
    if index + 1 >= len(days):
        return True
    return max(low, 1) <= (days[index + 1] - day).days <= high


def move_window(
    days: Sequence[date], index: int, request: PlanRequest, earliest: date
) -> tuple[date, date] | None:
    """The days session ``index`` may move to: the gap after the one before inside the
    window; the first session from the earliest day for ``first_search_days``. None: none."""
    if index == 0:
        first, last = earliest, max(earliest, days[0]) + timedelta(days=request.first_search_days)
    else:
        first = days[index - 1] + timedelta(days=max(request.min_gap_days, 1))
        last = days[index - 1] + timedelta(days=request.max_gap_days)
    first = max(first, earliest)
    return (first, last) if first <= last else None


def search_offers(
    calendars: Mapping[int, Calendar],
    request: PlanRequest,
    days: Sequence[date],
    index: int,
    *,
    home: int,
    current: datetime,
    limit: int = MAX_OFFERS,
) -> list[Offer]:
    """Up to ``limit`` times for session ``index``, one a day, earliest day first.

    ``calendars`` answer for each practitioner who may take the session (the
    home practitioner first; others only where the clinic allows), each
    ignoring the bookings of the sessions that may move. ``request`` carries
    the window (``min_gap_days``/``max_gap_days``), the procedure's phases, the
    wanted time of day (the session's own), the step and ``not_before`` (the
    cut-off). ``current`` is the session's arrival now (never offered again).
    Another practitioner takes this session alone: the later sessions stay
    with the home practitioner, so a day that needs them moved is the home
    practitioner's only.
    """
    tz = calendars[home].tz
    earliest = request.not_before.astimezone(tz).date() if request.not_before else days[0]
    window = move_window(days, index, request, earliest)
    if window is None:
        return []
    first, last = window
    offers: list[Offer] = []
    plans = [MAX_FOLLOWING_PLANS]  # re-plans of the later sessions this search may still make
    day = first
    while day <= last and len(offers) < limit:
        offer = offer_on(
            calendars, request, days, index, day, home=home, current=current, plans=plans
        )
        if offer is not None:
            offers.append(offer)
        day += timedelta(days=1)
    return offers


def offer_on(
    calendars: Mapping[int, Calendar],
    request: PlanRequest,
    days: Sequence[date],
    index: int,
    day: date,
    *,
    home: int,
    current: datetime,
    plans: list[int] | None = None,
) -> Offer | None:
    """The best time on ``day``: nearest the wanted time, the home practitioner first.

    ``plans`` (a one-item list, counted down) caps how many times the later sessions
    are re-planned; None: no cap. A day that would need one past the cap is not offered.
    """
    alone = keeps_next_gap(days, index, day, request.min_gap_days, request.max_gap_days)
    if not alone and plans is not None and plans[0] <= 0:
        return None  # without reading the day: it could not be offered
    for practitioner_id, calendar in calendars.items():
        if practitioner_id != home and not alone:
            continue
        slot = fit_slot(calendar.day(day), request, calendar.tz)
        if slot is None or slot.arrives_at == current:
            continue
        following: tuple[Proposal, ...] = ()
        if not alone:
            if plans is not None:
                plans[0] -= 1
            try:
                following = tuple(
                    plan_following(
                        calendars[home], request, days[index:], day, preferred_room=slot.room_id
                    )
                )
            except NoSlotError:
                return None
        new_days = [*days[:index], day, *(p.day for p in following), *days[index + 1 + len(
            following):]]  # fmt: skip
        moved = range(index, index + 1 + len(following))
        if gap_faults(new_days, moved, request.min_gap_days, request.max_gap_days):
            continue  # defensive: the window and the plan keep the gaps
        return Offer(day, slot, practitioner_id, following)
    return None


def at_time(request: PlanRequest, wanted: time) -> PlanRequest:
    """The request wanting ``wanted`` as the time of day."""
    return replace(request, preferred_time=wanted)
