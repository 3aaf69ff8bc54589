"""Calendar pages, and planning or booking from a free slot picked there."""

from datetime import date, datetime, time

import pytest
from django.urls import reverse

from clinic.models import Absence, Closure
from courses import rescheduling, services
from courses.calendar_views import CALENDAR_FIRST_DAY, CALENDAR_LAST_DAY, SLOT_SESSION_KEY
from courses.models import Session, SessionStatus
from tests.conftest import MONDAY
from tests.factories import cleared_patient
from tests.queries import queries_to_get


@pytest.fixture
def client_of(client, practitioner):
    client.force_login(practitioner.user)
    return client


@pytest.fixture
def booked(book):
    return book()


def week_url(kind, pk, day=MONDAY, view="week"):
    return reverse("calendar:show", args=[kind, pk, view, day.isoformat()])


def bookings(response):
    return [p.booking for c in response.context["layout"].columns for p in c.bookings]


def test_calendar_pages_require_login(client, practitioner, rooms):
    for url in [reverse("calendar:home"), week_url("practitioner", practitioner.pk),
                reverse("calendar:plan") + "?at=2026-01-06T10:00"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_calendar_home_opens_this_week_of_the_logged_in_cosmetologist(client_of, practitioner, now):
    response = client_of.get(reverse("calendar:home"))
    assert response["Location"] == week_url("practitioner", practitioner.pk, date(2026, 1, 2))


def test_week_shows_the_planned_course_with_its_phases(client_of, practitioner, booked):
    response = client_of.get(week_url("practitioner", practitioner.pk))
    assert response.status_code == 200
    [first] = bookings(response)
    session = booked.sessions.get(number=1)
    assert first.pk == session.pk
    assert first.title == booked.patient.full_name
    html = response.content.decode()
    assert reverse("courses:session_day", args=[session.pk]) in html
    assert "Scheduled" in html  # the status in words, not only a colour
    later = client_of.get(week_url("practitioner", practitioner.pk, date(2026, 1, 26)))
    assert [b.pk for b in bookings(later)] == [booked.sessions.get(number=2).pk]


def test_room_calendar_shows_the_room_sessions(client_of, booked):
    session = booked.sessions.get(number=1)
    response = client_of.get(week_url("room", session.room_id, view="day", day=date(2026, 1, 6)))
    assert [b.pk for b in bookings(response)] == [session.pk]
    assert "Room" in response.content.decode()


def test_week_shades_closures_and_absences(client_of, practitioner, rooms, now):
    Closure.objects.create(starts_on=date(2026, 1, 7), ends_on=date(2026, 1, 7), reason="Training")
    tz = services.clinic_tz()
    Absence.objects.create(
        practitioner=practitioner, reason="Dentist",
        starts_at=datetime(2026, 1, 8, 12, tzinfo=tz), ends_at=datetime(2026, 1, 8, 14, tzinfo=tz),
    )  # fmt: skip
    columns = client_of.get(week_url("practitioner", practitioner.pk)).context["layout"].columns
    assert columns[2].closed_reason == "Training"
    assert columns[2].free == []
    assert [s.label for s in columns[3].shades if s.kind == "absent"] == ["Dentist"]
    assert columns[6].free == []  # Sunday: closed


def test_free_time_links_open_the_planner_for_that_slot(client_of, practitioner, rooms, now):
    response = client_of.get(week_url("practitioner", practitioner.pk))
    html = response.content.decode()
    link = f"{reverse('calendar:plan')}?at=2026-01-06T10:00&amp;practitioner={practitioner.pk}"
    assert link in html


@pytest.mark.parametrize(
    "url",
    ["/calendar/practitioner/1/month/2026-01-05/", "/calendar/desk/1/week/2026-01-05/",
     "/calendar/practitioner/1/week/2026-02-30/", "/calendar/practitioner/999/week/2026-01-05/"],
)  # fmt: skip
def test_unknown_calendars_and_dates_are_not_found(client_of, practitioner, url):
    assert client_of.get(url).status_code == 404


@pytest.mark.parametrize("kind", ["practitioner", "room"])
@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1)])
def test_dates_past_the_calendar_range_are_refused_with_the_reason(
    client_of, practitioner, rooms, now, kind, view, day
):
    pk = practitioner.pk if kind == "practitioner" else rooms[0].pk
    response = client_of.get(week_url(kind, pk, day, view))
    assert response.status_code == 400
    assert "The calendar shows dates from 01 January 1900 to 31 December 2999." in (
        response.content.decode()
    )


@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize(
    ("day", "rel"), [(CALENDAR_FIRST_DAY, "prev"), (CALENDAR_LAST_DAY, "next")]
)
def test_first_and_last_calendar_pages_show_without_a_link_further(
    client_of, practitioner, rooms, now, view, day, rel
):
    response = client_of.get(week_url("practitioner", practitioner.pk, day, view))
    assert response.status_code == 200
    html = response.content.decode()
    other = "next" if rel == "prev" else "prev"
    assert f'rel="{rel}"' not in html
    assert f'rel="{other}"' in html


def test_week_query_count_does_not_grow_with_sessions(client_of, practitioner, book, booked):
    url = week_url("practitioner", practitioner.pk)

    before = queries_to_get(client_of, url)
    for _ in range(3):
        book(patient=cleared_patient(practitioner.user))
    assert len(bookings(client_of.get(url))) == 4
    assert queries_to_get(client_of, url) == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("at=tomorrow", "could not be read"),
        ("at=2025-12-01T10:00", "has passed"),
        ("at=9999-12-31T10:00", "Pick a date between"),
        ("at=2031-01-06T10:00", "Pick a date between"),
        ("at=2026-01-06T10:00&practitioner=abc", "not bookable"),
        ("", "This field is required"),
    ],
)
def test_plan_from_a_bad_slot_says_why(client_of, rooms, now, query, message):
    response = client_of.get(reverse("calendar:plan") + "?" + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SLOT_SESSION_KEY not in client_of.session


def test_picked_slot_fills_in_the_course_planner(client_of, practitioner, patient, face, now):
    url = reverse("calendar:plan") + f"?at=2026-01-08T11:30&practitioner={practitioner.pk}"
    assert client_of.get(url).status_code == 200
    response = client_of.post(url, {"q": patient.last_name})
    assert list(response.context["matches"]) == [patient]
    assert patient.last_name not in response.request["QUERY_STRING"]
    form = client_of.get(reverse("courses:create", args=[patient.pk])).context["form"]
    initial = {f: form[f].value() for f in ("start_on", "preferred_time", "preferred_weekday")}
    assert initial == {"start_on": date(2026, 1, 8), "preferred_time": time(11, 30),
                       "preferred_weekday": 3}  # fmt: skip
    assert form["practitioner"].value() == practitioner.pk


def test_replacement_is_booked_at_the_picked_slot(client_of, practitioner, booked):
    first = booked.sessions.get(number=1)
    rescheduling.cancel_session(session=first, reason="Patient unwell", actor=practitioner.user)
    url = reverse("calendar:plan") + f"?at=2026-01-07T14:00&practitioner={practitioner.pk}"
    response = client_of.get(url)
    assert [c.pk for c in response.context["short_courses"]] == [booked.pk]
    response = client_of.post(reverse("calendar:replacement", args=[booked.pk]))
    assert response["Location"] == reverse("courses:detail", args=[booked.pk])
    new = booked.sessions.get(number=7)
    assert new.arrives_at == datetime(2026, 1, 7, 14, tzinfo=services.clinic_tz())
    assert new.status == SessionStatus.SCHEDULED


def test_replacement_at_a_taken_time_is_refused_and_books_nothing(client_of, practitioner, booked):
    first = booked.sessions.get(number=1)
    rescheduling.cancel_session(session=first, reason="Patient unwell", actor=practitioner.user)
    second = booked.sessions.get(number=2)
    local = second.arrives_at.astimezone(services.clinic_tz())
    client_of.get(reverse("calendar:plan") + f"?at={local:%Y-%m-%dT%H:%M}")
    before = Session.objects.count()
    response = client_of.post(reverse("calendar:replacement", args=[booked.pk]), follow=True)
    assert "not available" in response.content.decode()
    assert Session.objects.count() == before


def test_a_picked_slot_is_forgotten_after_an_hour(client_of, practitioner, patient, time_machine):
    time_machine.move_to("2026-01-02 12:00Z", tick=False)
    client_of.get(reverse("calendar:plan") + f"?at=2026-01-08T11:30&practitioner={practitioner.pk}")
    url = reverse("courses:create", args=[patient.pk])
    assert client_of.get(url).context["picked"]
    time_machine.move_to("2026-01-02 13:01Z", tick=False)
    response = client_of.get(url)
    assert response.context["picked"] == {}
    assert SLOT_SESSION_KEY not in client_of.session
