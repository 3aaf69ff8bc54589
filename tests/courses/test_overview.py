"""Courses overview: progress, next session and drifting courses."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from courses import rescheduling, services, views
from courses.models import HOLDING_STATUSES, Course, Session, SessionStatus
from courses.overview import ACTIVE_STATUSES, DONE_STATUSES, course_problems, summarise_sessions
from courses.rules import TreatmentRules
from planner.demo import load_demo_data
from tests.factories import PractitionerFactory, cleared_patient
from tests.queries import queries_to_get

TODAY = date(2026, 6, 1)
RULES = TreatmentRules()
TZ = ZoneInfo("Europe/London")


def d(month, day):
    return date(2026, month, day)


@pytest.mark.parametrize(
    ("needle", "remaining", "last", "next_", "days", "overridden", "expected"),
    [
        ("0.5", 3, d(5, 11), d(6, 8), [d(5, 11), d(6, 8)], False, []),
        ("0.5", 0, d(5, 11), None, [d(5, 11)], False, []),
        ("0.5", 2, d(5, 11), None, [d(5, 11)], False, ["No next session booked"]),
        ("0.5", 2, None, None, [], False, ["No next session booked"]),
        ("0.5", 2, d(4, 1), None, [d(4, 1)], False,
         ["No next session booked", "Overdue: 8 weeks since the last session"]),
        ("0.5", 2, d(4, 20), None, [d(4, 20)], False, ["No next session booked"]),  # 6 weeks
        ("1.5", 2, d(5, 25), d(6, 15), [d(5, 25), d(6, 15)], False,
         ["Gap before session 2: A gap of 3 weeks is shorter than the 4-week minimum for 1.5 mm "
          "needles."]),
        ("0.5", 2, d(4, 1), d(6, 2), [d(4, 1), d(6, 2)], False,
         ["Gap before session 2: A gap of 8.9 weeks is longer than the 6-week maximum."]),
        ("0.5", 2, d(4, 1), d(6, 2), [d(4, 1), d(6, 2)], True, []),
        ("0.5", 2, None, d(6, 2), [d(6, 2)], False, []),
        # The case: on track up to the next session, but a later gap of 6.7 weeks.
        ("0.5", 3, d(5, 25), d(6, 8), [d(5, 25), d(6, 8), d(7, 27)], False,
         ["Gap before session 3: A gap of 7 weeks is longer than the 6-week maximum."]),
        ("0.5", 3, d(5, 25), d(6, 8), [d(5, 25), d(6, 8), d(7, 25)], False,
         ["Gap before session 3: A gap of 6.7 weeks is longer than the 6-week maximum."]),
    ],
)  # fmt: skip
def test_course_problems(needle, remaining, last, next_, days, overridden, expected):
    found = course_problems(
        RULES, needle_mm=Decimal(needle), planned=len(days), remaining=remaining,
        last_day=last, next_day=next_, days=days, today=TODAY, gap_overridden=overridden,
    )  # fmt: skip
    assert found == expected


@pytest.mark.parametrize(
    ("planned", "holding", "short"), [(4, 4, False), (4, 3, True), (6, 0, True)]
)
def test_a_course_with_fewer_sessions_than_planned_needs_attention(planned, holding, short):
    days = [d(6, 8) + timedelta(weeks=3 * i) for i in range(holding)]
    found = course_problems(
        RULES, needle_mm=Decimal("0.5"), planned=planned, remaining=planned, last_day=None,
        next_day=days[0] if days else None, days=days, today=TODAY, gap_overridden=False,
    )  # fmt: skip
    message = f"Only {holding} of the {planned} planned sessions are booked or done"
    assert any(p.startswith(message) for p in found) == short


def test_overview_and_course_page_both_flag_a_session_the_patient_cancelled(
    client, practitioner, booked
):
    rescheduling.cancel_session(
        session=booked.sessions.get(number=2),
        reason="by link",
        actor=system_actor(SystemActor.PATIENT_LINK),
    )
    client.force_login(practitioner.user)
    [row] = overview(client).context["rows"]
    expected = "Only 3 of the 4 planned sessions are booked or done"
    assert any(p.startswith(expected) for p in row.problems)
    page = client.get(reverse("courses:detail", args=[booked.pk])).content.decode()
    assert expected in page


@pytest.fixture
def booked(book):
    return book(sessions_planned=4)


def overview(client, **params):
    response = client.get(reverse("courses:overview"), params)
    assert response.status_code == 200
    return response


def test_overview_shows_progress_and_next_session(client, practitioner, booked):
    client.force_login(practitioner.user)
    [row] = overview(client).context["rows"]
    assert row.course == booked
    assert (row.done, row.planned, row.problems) == (0, 4, [])
    assert row.next_at == booked.sessions.get(number=1).arrives_at
    assert "0 of 4" in overview(client).content.decode()


def test_overview_puts_drifting_courses_first(client, practitioner, book, booked, time_machine):
    other = book(patient=cleared_patient(practitioner.user), sessions_planned=4)
    for number in (2, 3):  # leaves a 9-week gap between sessions 1 and 4
        session = other.sessions.get(number=number)
        rescheduling.cancel_session(
            session=session, reason="Patient unwell", actor=practitioner.user
        )
    time_machine.move_to("2026-01-07 12:00Z", tick=False)  # after session 1
    client.force_login(practitioner.user)
    rows = overview(client).context["rows"]
    assert [r.course for r in rows] == [other, booked]
    assert rows[0].problems == [
        "Gap before session 2: A gap of 9 weeks is longer than the 6-week maximum.",
        "Only 2 of the 4 planned sessions are booked or done (some were cancelled or missed): "
        "book a replacement session.",
    ]
    assert [r.course for r in overview(client, attention="1").context["rows"]] == [other]
    assert "9 weeks" in overview(client, attention="1").content.decode()


def test_overview_filters_by_practitioner(client, practitioner, booked):
    client.force_login(practitioner.user)
    other = PractitionerFactory()
    assert len(overview(client, practitioner=practitioner.pk).context["rows"]) == 1
    assert overview(client, practitioner=other.pk).context["rows"] == []
    assert client.get(reverse("courses:overview"), {"practitioner": "999"}).status_code == 400


@pytest.mark.parametrize("chosen", ["²", "٣", "-1", "1.0", "abc", str(2**63), " 1"])
def test_overview_refuses_a_practitioner_filter_that_is_not_an_id(client, practitioner, chosen):
    client.force_login(practitioner.user)
    response = client.get(reverse("courses:overview"), {"practitioner": chosen})
    assert response.status_code == 400
    assert "No such practitioner." in response.content.decode()


def test_overview_query_count_does_not_grow_with_courses(client, practitioner, book, booked):
    client.force_login(practitioner.user)

    before = queries_to_get(client, reverse("courses:overview"))
    for _ in range(3):
        book(patient=cleared_patient(practitioner.user), sessions_planned=4)
    assert len(overview(client).context["rows"]) == 4
    assert queries_to_get(client, reverse("courses:overview")) == before


def test_overview_and_course_page_agree_on_a_later_gap(client, practitioner, booked):
    """The page warned of a 6.7-week gap while the overview said "On track"."""
    third, last = booked.sessions.get(number=3), booked.sessions.get(number=4)
    later = third.arrives_at.astimezone(TZ).date() + timedelta(days=48)  # Mon 6 Apr
    rescheduling.reschedule_session(
        session=last, new_day=later, new_time=time(10), scope="this", reason="Trip",
        override_reason="Patient travels", actor=practitioner.user,
    )  # fmt: skip
    client.force_login(practitioner.user)
    page = client.get(reverse("courses:detail", args=[booked.pk])).content.decode()
    assert "A gap of 6.9 weeks is longer than the 6-week maximum." in page
    [row] = overview(client).context["rows"]
    assert row.problems == [
        "Gap before session 4: A gap of 6.9 weeks is longer than the 6-week maximum."
    ]
    assert "On track" not in overview(client).content.decode()


# The page reads only its rows: sorted and counted by the database from each course's
# summary, which the services keep. The reference below is the overview as it was
# (every running course's sessions read and judged in Python); the page must agree.


def reference_rows(now):
    """Every running course judged from its sessions, drifting first, then by next day."""
    tz, rule_set = services.clinic_tz(), services.treatment_rules()
    rows = []
    for course in Course.objects.filter(status__in=ACTIVE_STATUSES):
        holding = list(
            course.sessions.filter(status__in=HOLDING_STATUSES).order_by("arrives_at", "id")
        )
        arrivals = [s.arrives_at for s in holding]
        done = sum(1 for s in holding if s.status in DONE_STATUSES)
        last = max((a for a in arrivals if a < now), default=None)
        following = min((a for a in arrivals if a >= now), default=None)
        last_day = last.astimezone(tz).date() if last else None
        next_day = following.astimezone(tz).date() if following else None
        problems = course_problems(
            rule_set, needle_mm=course.needle_mm, planned=course.sessions_planned,
            remaining=course.sessions_planned - done, last_day=last_day, next_day=next_day,
            days=[a.astimezone(tz).date() for a in arrivals], today=now.astimezone(tz).date(),
            gap_overridden=bool(course.gap_override_reason),
        )  # fmt: skip
        rows.append((course.pk, done, course.sessions_planned, last_day, next_day, problems))
    rows.sort(key=lambda r: (not r[5], r[4] or date.max, r[0]))
    return rows


def shown_rows(client, **params):
    """Every row of every page, as the page shows them."""
    rows, number = [], 1
    while True:
        response = overview(client, page=number, **params)
        page = response.context["page"]
        rows += [
            (r.pk, r.done, r.planned, r.last_day, r.next_day, r.problems)
            for r in response.context["rows"]
        ]
        if not page.has_next():
            return rows, response.context
        number += 1


def assert_page_agrees_with_reference(client):
    expected = reference_rows(timezone.now())
    rows, context = shown_rows(client)
    assert rows == expected
    assert context["total"] == len(expected)
    assert context["drifting"] == sum(1 for r in expected if r[5])
    attention, context = shown_rows(client, attention="1")
    assert attention == [r for r in expected if r[5]]
    assert context["total"] == context["drifting"] == len(attention)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "OVERVIEW_PAGE_SIZE", 2)


@pytest.fixture
def crafted(practitioner, book, booked, face):
    """Courses on track, short of sessions, with a long gap, a short gap for the needle,
    gaps overridden, a no-show, a cancelled course, and one course with no session."""

    def another(**overrides):
        return book(patient=cleared_patient(practitioner.user), **overrides)

    gapped = another(sessions_planned=4)
    for number in (2, 3):
        rescheduling.cancel_session(
            session=gapped.sessions.get(number=number), reason="Unwell",
            actor=practitioner.user,
        )  # fmt: skip
    short = another(needle_mm=Decimal("1.0"), target_gap_weeks=3, sessions_planned=4)
    second = short.sessions.get(number=2)
    rescheduling.reschedule_session(
        session=second, new_day=second.arrives_at.astimezone(TZ).date() - timedelta(days=7),
        new_time=time(10), scope="this", reason="Earlier", override_reason="Asked for it",
        actor=practitioner.user,
    )  # fmt: skip
    another(target_gap_weeks=8, gap_override_reason="Patient travels", sessions_planned=4)
    missed = another(sessions_planned=5)
    cancelled = another(sessions_planned=4)
    rescheduling.cancel_course(course=cancelled, reason="Moved away", actor=practitioner.user)
    empty = another(sessions_planned=4)
    for session in empty.sessions.all():
        rescheduling.cancel_session(session=session, reason="Away", actor=practitioner.user)
    return {"gapped": gapped, "short": short, "missed": missed}


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=9), timedelta(weeks=5),
                                   timedelta(weeks=14), timedelta(weeks=40)])  # fmt: skip
def test_overview_pages_agree_with_every_course_judged_from_its_sessions(
    client, practitioner, crafted, small_pages, time_machine, later
):
    """Also as time passes sessions by without any change (the stored next day goes stale)."""
    time_machine.move_to(timezone.now() + later, tick=False)
    client.force_login(practitioner.user)
    assert_page_agrees_with_reference(client)


def test_overview_agrees_after_no_shows_and_finished_sessions(
    client, practitioner, crafted, small_pages, time_machine
):
    missed = crafted["missed"]
    first = missed.sessions.get(number=1)
    time_machine.move_to(first.arrives_at + timedelta(hours=2), tick=False)
    rescheduling.mark_no_show(session=first, actor=practitioner.user)
    client.force_login(practitioner.user)
    assert_page_agrees_with_reference(client)
    rescheduling.book_replacement(course=missed, actor=practitioner.user)
    assert_page_agrees_with_reference(client)


def test_overview_shows_one_course_of_many_needing_attention_first(
    client, practitioner, crafted, small_pages
):
    client.force_login(practitioner.user)
    rows, context = shown_rows(client)
    attention = [pk for pk, *_, problems in rows if problems]
    assert attention[: context["drifting"]] == attention
    assert rows[: len(attention)] == [r for r in rows if r[5]]
    assert {crafted["gapped"].pk, crafted["short"].pk} <= set(attention)


def test_summary_follows_the_session_day_services(db, time_machine):
    """The demo runs past sessions through check-in to completion, marks a no-show,
    cancels, replaces and moves sessions: every summary matches its sessions."""
    time_machine.move_to("2026-11-25 13:00Z", tick=False)
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    tz, now = services.clinic_tz(), timezone.now()
    assert Session.objects.filter(status=SessionStatus.COMPLETED).exists()
    for course in Course.objects.booked():
        sessions = [(s.arrives_at, s.status) for s in course.sessions.order_by("arrives_at", "id")]
        fresh = summarise_sessions(
            sessions, tz=tz, at=now, gaps_overridden=bool(course.gap_override_reason)
        )
        stored = {name: getattr(course, name) for name in fresh}
        for moment in ("next_holding_at", "next_holding_day", "previous_holding_at"):
            del fresh[moment], stored[moment]  # as of each change, not of now
        assert stored == fresh, course


@pytest.mark.parametrize(
    ("sessions", "overridden", "expected"),
    [
        ([], False, (0, 0, None, None, None, None, None)),
        ([(d(5, 4), "completed"), (d(5, 25), "no_show"), (d(6, 1), "scheduled"),
          (d(6, 22), "cancelled"), (d(6, 29), "scheduled")], False,
         (1, 3, d(6, 29), 28, 28, d(6, 1), d(5, 4))),
        ([(d(5, 4), "completed"), (d(5, 11), "stopped"), (d(7, 6), "scheduled")], False,
         (2, 3, d(7, 6), 7, 56, d(7, 6), d(5, 11))),
        ([(d(5, 4), "completed"), (d(5, 11), "stopped"), (d(7, 6), "scheduled")], True,
         (2, 3, d(7, 6), None, None, d(7, 6), d(5, 11))),
        ([(d(5, 4), "completed"), (d(5, 25), "completed")], False,
         (2, 2, d(5, 25), 21, 21, None, d(5, 25))),
    ],
)  # fmt: skip
def test_summarise_sessions(sessions, overridden, expected):
    def at(day):
        return datetime.combine(day, time(10), tzinfo=TZ)

    found = summarise_sessions(
        [(at(day), status) for day, status in sessions], tz=TZ, at=at(TODAY),
        gaps_overridden=overridden,
    )  # fmt: skip
    last, following, previous = (at(x) if x else None for x in expected[2:3] + expected[5:])
    assert found == {
        "done_sessions": expected[0], "holding_sessions": expected[1], "last_holding_at": last,
        "shortest_gap_days": expected[3], "longest_gap_days": expected[4],
        "next_holding_at": following, "next_holding_day": expected[5],
        "previous_holding_at": previous,
    }  # fmt: skip


def test_overview_queries_do_not_grow_with_courses_or_pages(
    client, practitioner, book, booked, small_pages
):
    client.force_login(practitioner.user)
    url = reverse("courses:overview")
    for _ in range(2):
        book(patient=cleared_patient(practitioner.user), sessions_planned=4)
    three = queries_to_get(client, url)
    for _ in range(27):
        book(patient=cleared_patient(practitioner.user), sessions_planned=4)
    assert overview(client, page=15).context["page"].paginator.count == 30
    assert [queries_to_get(client, url, {"page": n}) for n in (1, 8, 15)] == [three] * 3


@pytest.mark.parametrize(
    ("asked", "shown"), [("abc", 1), ("0", 1), ("-1", 1), ("2", 2), ("99", "last"),
                         ("9" * 5000, "last"), ("²", 1)],
)  # fmt: skip
def test_overview_page_numbers_behave_as_before(
    client, practitioner, crafted, small_pages, asked, shown
):
    """Unreadable numbers show page 1, numbers past the end the last page (as get_page)."""
    client.force_login(practitioner.user)
    every, _ = shown_rows(client)
    last = -(-len(every) // 2)
    response = overview(client, page=asked)
    number = last if shown == "last" else shown
    assert response.context["page"].number == number
    assert [r.pk for r in response.context["rows"]] == [r[0] for r in every][
        (number - 1) * 2 : number * 2
    ]
    assert response.context["total"] == len(every)
