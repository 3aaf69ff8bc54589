"""The today board (landing page)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services, session_day
from patients import services as patient_services
from patients.screening import Answers
from reminders.models import ChannelState
from tests.factories import (
    PractitionerFactory,
    cleared_patient,
    reception_user,
    seed_clinic_hours,
    staff_actor,
)
from tests.mfa import force_verified_login
from tests.queries import queries_to_get

DAY = "2026-01-06 08:30Z"  # the first sessions of the test courses are at 10:00 that day


@pytest.fixture
def day_sessions(draft, practitioner, time_machine):
    booked = []
    for _ in range(2):
        course = draft(patient=cleared_patient(practitioner.user), sessions_planned=4)
        services.confirm_course(course=course, actor=practitioner.user)
        booked.append(course.sessions.get(number=1))
    time_machine.move_to(DAY, tick=False)
    return booked


def board(client, **params):
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response


def test_board_lists_todays_sessions_in_time_order_with_alerts(client, practitioner, day_sessions):
    client.force_login(practitioner.user)
    rows = board(client).context["rows"]
    assert [r.session for r in rows] == sorted(day_sessions, key=lambda s: s.arrives_at)
    assert all(r.phase == "Expected" for r in rows)
    assert rows[0].alerts == [
        "Screening to re-confirm",
        "Unconfirmed",
        "First session of the course",
    ]


def test_board_shows_the_cream_countdown_and_phase(
    client, practitioner, day_sessions, time_machine
):
    from decimal import Decimal

    session = day_sessions[0]
    session.course.needle_mm = Decimal("1.0")
    session.course.save()
    patient_services.record_screening(
        patient=session.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    procedure = session_day.check_in(session=session, actor=practitioner.user)
    session_day.put_cream_on(session=session, version=procedure.version, actor=staff_actor())
    client.force_login(practitioner.user)
    response = board(client)
    [row] = [r for r in response.context["rows"] if r.session == session]
    assert row.phase == "Cream on"
    assert "Screening to re-confirm" not in row.alerts
    wash_off = row.wash_off_due.isoformat()
    assert f'data-countdown-to="{wash_off}"' in response.content.decode()
    assert row.wash_off_due.isoformat() == "2026-01-06T08:50:00+00:00"
    # The front desk sees the patient has arrived, not the procedure's cream or its countdown.
    client.force_login(reception_user())
    desk = board(client, all="1").content.decode()
    assert "Cream on" not in desk
    assert "data-countdown-to" not in desk
    assert "Arrived" in desk


def test_cosmetologist_sees_own_sessions_and_can_see_everyones(client, day_sessions, db):
    colleague = PractitionerFactory()
    seed_clinic_hours(colleague)
    client.force_login(colleague.user)
    assert board(client).context["rows"] == []
    assert len(board(client, all="1").context["rows"]) == 2


def test_manager_without_bookings_sees_everyone(client, manager, day_sessions):
    force_verified_login(client, manager)
    assert len(board(client).context["rows"]) == 2


def test_fragment_is_the_board_alone(client, practitioner, day_sessions):
    client.force_login(practitioner.user)
    html = board(client, fragment="1").content.decode()
    assert 'data-testid="today-board"' in html
    assert "<nav" not in html


def test_board_query_count_does_not_grow_with_sessions(client, practitioner, draft, day_sessions):
    client.force_login(practitioner.user)

    before = queries_to_get(client, reverse("home"))
    for _ in range(3):
        course = draft(  # planned now (the morning of DAY): a start before today is refused
            patient=cleared_patient(practitioner.user),
            sessions_planned=4,
            start_on=date(2026, 1, 6),
        )
        services.confirm_course(course=course, actor=practitioner.user)
    assert len(board(client).context["rows"]) == 5
    assert queries_to_get(client, reverse("home")) == before


def test_the_refreshed_board_shows_a_relay_going_down_and_coming_back(client, practitioner, now):
    client.force_login(practitioner.user)
    assert "relay down" not in board(client, fragment="1").content.decode()
    state = ChannelState.objects.create(channel="email", failures=5, paused_since=timezone.now())
    assert "E-mail relay down since" in board(client, fragment="1").content.decode()
    state.paused_since = None
    state.save()
    assert "relay down" not in board(client, fragment="1").content.decode()
