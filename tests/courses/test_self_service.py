"""The patient's self-reschedule search (courses.self_service): pure, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses import self_service
from courses.planning import DayAvailability, Interval, PlanRequest, local_datetime

TZ = ZoneInfo("Europe/London")
HOURS = ((time(9), time(18)),)


@dataclass
class FakeCalendar:
    """Opening and working hours by weekday; busy spans by day, per practitioner, room, patient."""

    tz: ZoneInfo = TZ
    opening: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    working: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    closed: set[date] = field(default_factory=set)
    practitioner: dict[date, list[Interval]] = field(default_factory=dict)
    patient: dict[date, list[Interval]] = field(default_factory=dict)
    rooms: dict[int, dict[date, list[Interval]]] = field(default_factory=lambda: {1: {}})

    def day(self, day: date) -> DayAvailability:
        return DayAvailability(
            day=day,
            closed_reason="closed" if day in self.closed else None,
            opening=self.opening.get(day.weekday(), ()),
            working=self.working.get(day.weekday(), ()),
            practitioner_busy=tuple(self.practitioner.get(day, ())),
            patient_busy=tuple(self.patient.get(day, ())),
            room_busy={r: tuple(busy.get(day, ())) for r, busy in self.rooms.items()},
        )


def weekdays(hours=HOURS, days=range(5)):
    return dict.fromkeys(days, hours)


def request_for(*, low=14, high=42, not_before=None, at=time(10), cream=0, length=45, step=15):
    return PlanRequest(
        start_on=date(2026, 1, 5), sessions=4, target_gap_days=21, min_gap_days=low,
        max_gap_days=high, preferred_weekday=None, preferred_time=at, cream_minutes=cream,
        procedure_minutes=length, step_minutes=step, not_before=not_before,
    )  # fmt: skip


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


MON = date(2026, 2, 2)
COURSE = [MON, MON + timedelta(days=21), MON + timedelta(days=42), MON + timedelta(days=63)]


def search(calendars, request, days=COURSE, index=1, current=None, **kw):
    current = current or at(days[index], 10)
    return self_service.search_offers(
        calendars, request, days, index, home=next(iter(calendars)), current=current, **kw
    )


@pytest.mark.parametrize(
    ("days", "moved", "low", "high", "faults"),
    [
        ([MON, MON + timedelta(14)], [1], 14, 42, []),
        ([MON, MON + timedelta(13)], [1], 14, 42, [(1, 13)]),
        ([MON, MON + timedelta(43)], [0], 14, 42, [(1, 43)]),
        ([MON, MON + timedelta(10), MON + timedelta(50)], [2], 14, 42, []),  # not the patient's
        ([MON, MON], [1], 0, 42, [(1, 0)]),  # never two on one day
    ],
)
def test_gap_faults_judge_only_gaps_touching_a_moved_session(days, moved, low, high, faults):
    assert self_service.gap_faults(days, moved, low, high) == faults


def test_within_cutoff_counts_hours_from_now():
    now = datetime(2026, 1, 2, 12, tzinfo=UTC)
    assert self_service.within_cutoff(now + timedelta(hours=23), now=now, cutoff_hours=24)
    assert not self_service.within_cutoff(now + timedelta(hours=24), now=now, cutoff_hours=24)


def test_the_window_starts_after_the_minimum_gap_and_the_cutoff():
    request = request_for(low=14, high=42)
    assert self_service.move_window(COURSE, 1, request, MON) == (MON + timedelta(14),
                                                                 MON + timedelta(42))  # fmt: skip
    assert self_service.move_window(COURSE, 1, request, MON + timedelta(30))[0] == MON + timedelta(
        30
    )
    assert self_service.move_window(COURSE, 1, request, MON + timedelta(43)) is None


def test_offers_one_time_a_day_nearest_the_sessions_own_time_on_the_step_grid():
    calendar = FakeCalendar(opening=weekdays(), working=weekdays())
    busy_day = MON + timedelta(15)
    calendar.practitioner[busy_day] = [Interval(at(busy_day, 9), at(busy_day, 11))]
    offers = search({7: calendar}, request_for())
    assert len(offers) == 12
    assert all(o.slot.arrives_at.astimezone(TZ).minute % 15 == 0 for o in offers)
    by_day = {o.day: o.slot.arrives_at.astimezone(TZ).time() for o in offers}
    assert by_day[MON + timedelta(14)] == time(10)
    assert by_day[MON + timedelta(15)] == time(11)  # 10:00 was taken: the nearest free time
    assert all(o.day.weekday() < 5 for o in offers)  # closed at weekends


def test_a_day_that_breaks_the_next_gap_moves_the_following_sessions_with_it():
    calendar = FakeCalendar(opening=weekdays(days=range(7)), working=weekdays(days=range(7)))
    offers = search({7: calendar}, request_for(), limit=30)
    # 21-day gaps, a 14-day minimum: after day 28 moving it alone breaks the gap to the next
    assert all((o.scope == "this") == (o.day <= MON + timedelta(28)) for o in offers)
    later = next(o for o in offers if o.scope == "following")
    assert later.day == MON + timedelta(29)
    assert [p.day for p in later.following] == [MON + timedelta(50), MON + timedelta(71)]


def test_a_search_replans_the_following_sessions_for_a_few_days_only(monkeypatch):
    """Each day that moves the later sessions re-plans them (weeks of calendar); a search
    offers at most MAX_FOLLOWING_PLANS such days, then only days that move one session."""
    calendar = FakeCalendar(opening=weekdays(days=range(7)), working=weekdays(days=range(7)))
    plans = []
    real = self_service.plan_following
    monkeypatch.setattr(
        self_service, "plan_following", lambda *a, **kw: plans.append(a[3]) or real(*a, **kw)
    )
    offers = search({7: calendar}, request_for(), limit=30)
    following = [o.day for o in offers if o.scope == "following"]
    assert following == [MON + timedelta(29 + n) for n in range(self_service.MAX_FOLLOWING_PLANS)]
    assert plans == following
    # days 14 to 28 all stay offered, but for day 21: the session is already there at 10:00
    assert [o.day for o in offers if o.scope == "this"] == [
        MON + timedelta(n) for n in range(14, 29) if n != 21
    ]


def test_the_last_session_moves_alone():
    calendar = FakeCalendar(opening=weekdays(days=range(7)), working=weekdays(days=range(7)))
    offers = search({7: calendar}, request_for(), index=3)
    assert offers
    assert all(o.scope == "this" for o in offers)
    assert offers[0].day == COURSE[2] + timedelta(14)


def test_nothing_inside_the_cutoff_is_offered():
    calendar = FakeCalendar(opening=weekdays(), working=weekdays())
    cutoff = at(MON + timedelta(20), 12)
    offers = search({7: calendar}, request_for(not_before=cutoff))
    assert offers
    assert all(o.slot.arrives_at >= cutoff for o in offers)


def test_the_sessions_own_time_is_not_offered_again():
    calendar = FakeCalendar(opening=weekdays(days=range(7)), working=weekdays(days=range(7)))
    days = [MON, MON + timedelta(14), MON + timedelta(42)]
    offers = search({7: calendar}, request_for(), days=days, index=1, limit=40)
    assert all(o.slot.arrives_at != at(days[1], 10) for o in offers)


def test_another_practitioner_is_offered_where_the_home_one_does_not_work():
    home = FakeCalendar(opening=weekdays(), working=weekdays(days=[0]))
    other = FakeCalendar(opening=weekdays(), working=weekdays(days=[1, 2, 3, 4]))
    days = [MON, MON + timedelta(21), MON + timedelta(56)]  # room to move the middle one alone
    offers = search({7: home, 8: other}, request_for(), days=days, index=1, limit=40)
    assert {o.practitioner_id for o in offers} == {7, 8}
    assert all(o.day.weekday() == 0 for o in offers if o.practitioner_id == 7)
    assert all(o.scope == "this" for o in offers if o.practitioner_id == 8)


def test_no_working_day_in_the_window_offers_nothing():
    calendar = FakeCalendar(opening=weekdays(), working={})
    assert search({7: calendar}, request_for()) == []


# --- Property: no offer ever breaks a gap, the hours or a clash ---------------------

span_minutes = st.integers(min_value=0, max_value=10 * 60)


@st.composite
def worlds(draw):
    low = draw(st.sampled_from([7, 14, 21, 28, 35]))
    high = draw(st.integers(min_value=low, max_value=49))
    count = draw(st.integers(min_value=2, max_value=6))
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 120)))  # over the March change
    days = [start]
    for _ in range(count - 1):
        days.append(days[-1] + timedelta(days=draw(st.integers(low, high))))
    index = draw(st.integers(0, count - 1))

    def hours():
        opens = draw(st.integers(6 * 4, 11 * 4)) * 15
        closes = opens + draw(st.integers(2 * 4, 10 * 4)) * 15
        return ((time(opens // 60, opens % 60), time(min(closes, 23 * 60) // 60,
                                                     min(closes, 23 * 60) % 60)),)  # fmt: skip

    open_days = draw(st.sets(st.integers(0, 6), min_size=1))
    opening = {d: hours() for d in open_days}
    span = (days[-1] - days[0]).days + 120

    def busy(day_count):
        spans = draw(st.lists(st.tuples(st.integers(0, span), st.integers(6 * 60, 20 * 60),
                                        st.integers(15, 180)), max_size=day_count))  # fmt: skip
        by_day: dict[date, list[Interval]] = {}
        for offset, minute, length in spans:
            day = days[0] + timedelta(days=offset)
            begin = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=TZ)
            by_day.setdefault(day, []).append(Interval(begin, begin + timedelta(minutes=length)))
        return by_day

    def calendar():
        work_days = draw(st.sets(st.sampled_from(sorted(open_days)), min_size=1))
        rooms = {r: busy(20) for r in range(1, draw(st.integers(1, 3)) + 1)}
        return FakeCalendar(
            opening=opening, working={d: hours() for d in work_days},
            closed={days[0] + timedelta(days=draw(st.integers(0, span))) for _ in range(3)},
            practitioner=busy(30), patient=patient, rooms=rooms,
        )  # fmt: skip

    patient = busy(10)
    calendars = {7: calendar()}
    if draw(st.booleans()):
        calendars[8] = calendar()
    early = datetime.combine(days[0] - timedelta(days=draw(st.integers(0, 10))), time(9), tzinfo=TZ)
    cutoff = early + timedelta(hours=draw(st.integers(0, 24 * 30)))
    request = PlanRequest(
        start_on=days[0], sessions=count, target_gap_days=low, min_gap_days=low,
        max_gap_days=high, preferred_weekday=None,
        preferred_time=time(draw(st.integers(7, 18)), draw(st.sampled_from([0, 15, 30, 45]))),
        cream_minutes=draw(st.sampled_from([0, 20])),
        procedure_minutes=draw(st.sampled_from([30, 45, 60, 90])),
        step_minutes=draw(st.sampled_from([5, 10, 15, 30])), not_before=cutoff,
    )  # fmt: skip
    return calendars, request, days, index


def inside(span: Interval, day: date, hours) -> bool:
    windows = [(local_datetime(day, a, TZ), local_datetime(day, b, TZ)) for a, b in hours]
    return any(a and b and a <= span.start and span.end <= b for a, b in windows)


def assert_slot_keeps_the_calendar(calendar: FakeCalendar, request: PlanRequest, day, slot):
    avail = calendar.day(day)
    local = slot.arrives_at.astimezone(TZ)
    assert local.date() == day
    assert avail.closed_reason is None
    assert inside(slot.visit, day, avail.opening)
    assert inside(slot.procedure, day, avail.working)
    assert slot.arrives_at >= request.not_before
    opens = [o for o, c in avail.opening]
    assert any((local.hour * 60 + local.minute - (o.hour * 60 + o.minute)) % request.step_minutes
               == 0 for o in opens)  # fmt: skip
    assert not any(slot.procedure.overlaps(b) for b in avail.practitioner_busy)
    assert not any(slot.procedure.overlaps(b) for b in avail.room_busy[slot.room_id])
    assert not any(slot.visit.overlaps(b) for b in avail.patient_busy)
    assert (slot.procedure_starts_at - slot.arrives_at) == timedelta(minutes=request.cream_minutes)


@pytest.mark.slow  # about 50 s: 1,000 random courses and calendars (issue #17 asks that many)
@settings(
    max_examples=1000, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
@given(worlds())
def test_no_offer_ever_breaks_a_gap_the_hours_or_a_clash(world):
    calendars, request, days, index = world
    current = datetime.combine(days[index], request.preferred_time, tzinfo=TZ)
    offers = self_service.search_offers(calendars, request, days, index, home=7, current=current)
    assert len(offers) <= self_service.MAX_OFFERS
    assert len({o.day for o in offers}) == len(offers)  # one a day
    low, high = max(request.min_gap_days, 1), request.max_gap_days
    for offer in offers:
        assert offer.slot.arrives_at != current
        calendar = calendars[offer.practitioner_id]
        assert_slot_keeps_the_calendar(calendar, request, offer.day, offer.slot)
        for proposal in offer.following:
            assert offer.practitioner_id == 7
            assert_slot_keeps_the_calendar(calendars[7], request, proposal.day, proposal.slot)
        moved = len(offer.following) + 1
        new_days = [*days[:index], offer.day, *(p.day for p in offer.following),
                    *days[index + moved:]]  # fmt: skip
        for position in range(max(index, 1), min(index + moved + 1, len(new_days))):
            assert low <= (new_days[position] - new_days[position - 1]).days <= high
        if index == 0:
            assert offer.day <= max(request.not_before.astimezone(TZ).date(), days[0]) + timedelta(
                days=request.first_search_days
            )
