"""Home care with a roller: the pure rules (no Django, no database).

DOMAIN.md, "Home care": a clinic may recommend a home roller with short needles
(the clinic's home-use range, 0.15-0.5 mm by default); the patient logs each
use and its disinfection; the roller is worn after the clinic's number of uses
(8 by default; the literature says 6-8) and must then be replaced; and there
is no home rolling within the clinic's quiet days (7 by default) before or
after a clinic session. Every number comes from the caller (the clinic's
settings); none is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal


class HomeCareError(Exception):
    """A home-care rule refused; ``code`` names it (the services word the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_needle(needle_mm: Decimal, low_mm: Decimal, high_mm: Decimal) -> None:
    """A home roller's needle lies in the clinic's home-use range (both ends included)."""
    if not low_mm <= needle_mm <= high_mm:
        raise HomeCareError("needle_range")


def uses_left(uses: int, worn_after: int) -> int:
    """Uses the roller has before it is worn (never below zero)."""
    return max(worn_after - uses, 0)


def is_worn(uses: int, worn_after: int) -> bool:
    """Worn (dull) once it has been used ``worn_after`` times: it must not be used again."""
    return uses >= worn_after


def check_use_time(used_at: datetime, *, now: datetime, recommended_at: datetime) -> None:
    """A logged use happened: not in the future, not before the roller was recommended.

    Times are typed to the minute, so the recommendation counts from its minute.
    """
    if used_at > now:
        raise HomeCareError("future")
    if used_at < recommended_at.replace(second=0, microsecond=0):
        raise HomeCareError("before_recommendation")


def check_can_log(uses: int, worn_after: int) -> None:
    """One more use may be logged only while the roller is not worn."""
    if is_worn(uses, worn_after):
        raise HomeCareError("worn")


@dataclass(frozen=True)
class QuietPeriod:
    """No home rolling from ``start`` to ``end`` (exclusive): around the clinic session at
    ``session_at``."""

    session_at: datetime
    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start < moment < self.end


def quiet_periods(session_times: Iterable[datetime], quiet_days: int) -> list[QuietPeriod]:
    """The quiet period around each clinic session, in time order.

    "Within N days" is strict: a use exactly N days before or after a session is
    outside. With ``quiet_days`` 0 there is none.
    """
    if quiet_days <= 0:
        return []
    span = timedelta(days=quiet_days)
    return [QuietPeriod(at, at - span, at + span) for at in sorted(session_times)]


def quiet_conflict(
    moment: datetime, session_times: Iterable[datetime], quiet_days: int
) -> QuietPeriod | None:
    """The quiet period ``moment`` falls in (the nearest session's), or None."""
    inside = [p for p in quiet_periods(session_times, quiet_days) if p.holds(moment)]
    return min(inside, key=lambda p: abs(p.session_at - moment), default=None)


def periods_to_show(
    session_times: Iterable[datetime], quiet_days: int, *, now: datetime
) -> list[QuietPeriod]:
    """The quiet periods a patient still needs to know about: those not yet over."""
    return [p for p in quiet_periods(session_times, quiet_days) if p.end > now]
