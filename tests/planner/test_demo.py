from datetime import timedelta

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic, Practitioner
from courses.models import AftercareSheet, Course, CourseStatus, Procedure, Session, SessionStatus
from patients.models import Screening
from planner.demo import load_demo_data
from reminders.models import OutboxMessage
from tests.mfa import force_verified_login


def test_demo_data_loads_once_and_its_logins_work(db):
    first = load_demo_data(actor=system_actor(SystemActor.DEMO))
    second = load_demo_data(actor=system_actor(SystemActor.DEMO))
    assert first == second
    assert Clinic.objects.count() == 1
    assert Practitioner.objects.filter(is_bookable=True).count() == 2
    for login in first:
        user = authenticate(username=login.username, password=login.password)
        assert user is not None
        assert user.is_staff


def test_seed_command_prints_logins(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    assert "anna" in capsys.readouterr().out


def test_seed_command_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not Clinic.objects.exists()


def this_week(today):
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


@pytest.mark.parametrize("today", ["2026-11-23 08:00", "2026-11-25 13:00", "2026-11-29 20:00"])
def test_demo_has_a_done_past_and_a_busy_current_week(db, time_machine, today):
    time_machine.move_to(f"{today}Z", tick=False)
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    now = timezone.now()
    done = Session.objects.filter(status=SessionStatus.COMPLETED)
    assert done.count() >= 10
    for session in done:  # as the session-day screen leaves them
        assert session.procedure_ends_at < now
        assert session.procedure.finished_at is not None
        assert session.procedure.zones.filter(horizontal=7, vertical=7, diagonal=7).exists()
        assert AftercareSheet.objects.filter(session=session).exists()
    assert Session.objects.filter(status=SessionStatus.NO_SHOW).count() == 1
    assert Course.objects.filter(status=CourseStatus.COMPLETED).count() == 1
    assert Course.objects.filter(status=CourseStatus.IN_PROGRESS).count() >= 4
    week = this_week(timezone.localdate(now))
    in_week = [s for s in Session.objects.exclude(status=SessionStatus.CANCELLED)
               if timezone.localdate(s.arrives_at) in week]  # fmt: skip
    assert len(in_week) >= 5
    assert {s.practitioner.user.username for s in in_week} == {"anna", "maria"}


def test_demo_history_is_loaded_once(db, time_machine):
    time_machine.move_to("2026-11-25 13:00Z", tick=False)
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    counts = [m.objects.count() for m in (Course, Session, Screening, Procedure, OutboxMessage)]
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    assert [m.objects.count() for m in (Course, Session, Screening, Procedure, OutboxMessage)] == (
        counts
    )


def test_demo_report_and_overview_show_the_history(db, client, time_machine):
    time_machine.move_to("2026-11-25 13:00Z", tick=False)
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    force_verified_login(client, get_user_model().objects.get(username="manager"))  # managers'
    report = client.get(reverse("report"))
    assert report.status_code == 200
    assert report.context["report"].totals.sessions_done >= 8  # the last eight weeks
    overview = client.get(reverse("courses:overview"))
    assert len(overview.context["rows"]) >= 6


def test_the_demo_has_one_login_per_role_and_no_superuser(db):
    logins = load_demo_data(actor=system_actor(SystemActor.DEMO))
    users = get_user_model().objects.filter(username__in=[login.username for login in logins])
    roles = {u.username: (list(u.groups.values_list("name", flat=True)), u.is_superuser)
             for u in users}  # fmt: skip
    assert roles == {
        "anna": (["practitioner"], False), "maria": (["practitioner"], False),
        "manager": (["manager"], False), "reception": (["reception"], False),
    }  # fmt: skip
    assert get_user_model().objects.get(username="reception").check_password("demo-reception-2026")


def test_a_fresh_demo_has_no_message_waiting_from_the_past_and_healthz_is_green(client, db):
    load_demo_data(actor=system_actor(SystemActor.DEMO))
    past = timezone.now() - timedelta(minutes=5)
    assert not OutboxMessage.objects.filter(status="pending", due_at__lt=past).exists()
    assert OutboxMessage.objects.filter(status="sent", provider_message_id="demo-history").exists()
    body = client.get(reverse("healthz")).json()
    assert (
        body["outbox"]["oldest_due_seconds"] is None or body["outbox"]["oldest_due_seconds"] < 600
    )


def test_the_demo_has_a_russian_patient_with_a_booked_course_and_messages_in_her_language(db):
    from patients.models import Patient

    load_demo_data(actor=system_actor(SystemActor.DEMO))
    olga = Patient.objects.get(email="olga.smirnova@example.com")
    assert olga.language == "ru"
    course = Course.objects.booked().get(patient=olga)
    assert course.sessions.count() == 4
    assert OutboxMessage.objects.filter(patient=olga, channel="email").exists()
