"""When each message is due (pure: no database, no clock of its own).

Quiet hours are in the patient's time zone (default 21:00-08:00, the
boundaries themselves allowed). A message that concerns a coming session and
would fall in quiet hours goes at the last allowed time before; the aftercare
sheet and other after-the-fact messages go at the first allowed time after.
The short reminder on the day stays on the day of the visit: never the evening
before, but the first allowed time that morning, or not at all when that is
already the arrival time (issue #13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Policy:
    lead_hours: int = 48
    short_lead_hours: int = 2
    aftercare_at: time = time(9)
    quiet_start: time = time(21)
    quiet_end: time = time(8)


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as UTC (a time the clocks skip resolves forward)."""
    local = datetime.combine(day, moment, tzinfo=tz)
    return local.astimezone(UTC).astimezone(tz).astimezone(UTC)


def in_quiet_hours(moment: datetime, tz: ZoneInfo, policy: Policy) -> bool:
    local = moment.astimezone(tz).time()
    if policy.quiet_start > policy.quiet_end:  # overnight, the usual case
        return local > policy.quiet_start or local < policy.quiet_end
    return policy.quiet_start < local < policy.quiet_end


def last_allowed_before(moment: datetime, tz: ZoneInfo, policy: Policy) -> datetime:
    """``moment`` itself, or the start of the quiet hours it falls in."""
    if not in_quiet_hours(moment, tz, policy):
        return moment
    local = moment.astimezone(tz)
    day = local.date() if local.time() > policy.quiet_start else local.date() - timedelta(days=1)
    return _at(day, policy.quiet_start, tz)


def first_allowed_after(moment: datetime, tz: ZoneInfo, policy: Policy) -> datetime:
    """``moment`` itself, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(moment, tz, policy):
        return moment
    local = moment.astimezone(tz)
    day = local.date() + timedelta(days=1) if local.time() > policy.quiet_start else local.date()
    return _at(day, policy.quiet_end, tz)


def before_session_due(
    arrives_at: datetime, lead: timedelta, tz: ZoneInfo, policy: Policy, now: datetime
) -> datetime | None:
    """Due time of a reminder ``lead`` before arrival; None if it can no longer be useful.

    Already overdue at booking: as soon as quiet hours allow, if that is still
    before the arrival.
    """
    due = last_allowed_before(arrives_at - lead, tz, policy)
    if due < now:
        due = first_allowed_after(now, tz, policy)
    return due if due < arrives_at else None


def day_of_due(
    arrives_at: datetime, lead: timedelta, tz: ZoneInfo, policy: Policy, now: datetime
) -> datetime | None:
    """Due time of the short reminder ``lead`` before arrival, on the day of the visit.

    In quiet hours it moves to the nearest allowed time on the arrival's local
    day: the start of the quiet hours when the visit is late that evening,
    otherwise the end of the night's quiet hours that morning. Already overdue:
    now, as soon as quiet hours allow. None when that would not be on the day
    or not before the arrival.
    """
    day = arrives_at.astimezone(tz).date()
    wanted = arrives_at - lead
    due = last_allowed_before(wanted, tz, policy)
    if due.astimezone(tz).date() != day:
        due = first_allowed_after(wanted, tz, policy)
    if due < now:
        due = first_allowed_after(now, tz, policy)
    if due.astimezone(tz).date() != day or due >= arrives_at:
        return None
    return due


def reminder_due_times(
    arrives_at: datetime, tz: ZoneInfo, policy: Policy, now: datetime
) -> dict[str, datetime]:
    """Due times of the pre-session reminders that still make sense.

    The long reminder is dropped when it could only go out shortly before (or
    after) the short one, so a late booking gets one reminder, not two at once.
    """
    due = {}
    short_lead = timedelta(hours=policy.short_lead_hours)
    short = day_of_due(arrives_at, short_lead, tz, policy, now)
    long = before_session_due(arrives_at, timedelta(hours=policy.lead_hours), tz, policy, now)
    if long is not None and (short is None or long <= short - short_lead):
        due["reminder_48h"] = long
    if short is not None:
        due["reminder_2h"] = short
    return due


def aftercare_due(ends_at: datetime, tz: ZoneInfo, policy: Policy) -> datetime:
    """The morning after the session, in the patient's zone."""
    day = ends_at.astimezone(tz).date() + timedelta(days=1)
    return first_allowed_after(_at(day, policy.aftercare_at, tz), tz, policy)


def send_now_due(now: datetime, tz: ZoneInfo, policy: Policy) -> datetime:
    """For messages that go at once (course booked, completed): not in quiet hours."""
    return first_allowed_after(now, tz, policy)


def retry_delay(attempt: int, base_seconds: int, cap_seconds: int = 3600) -> timedelta:
    """Exponential backoff: base, 2x base, 4x base ... capped."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempt - 1)))
