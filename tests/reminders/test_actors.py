"""Who acts in the reminders app: the patient's links, the outbox tasks, the staff."""

import pytest
from django.urls import reverse

from clinic.actors import SystemActor
from courses import services, session_day
from reminders import links, tasks
from reminders import services as outbox
from reminders.models import Kind, OutboxMessage, Status


@pytest.fixture
def booked(draft, reachable, practitioner):
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course.sessions.get(number=1)


def spy(monkeypatch, module, name):
    """The actors the named service is called with; the service still runs."""
    actors = []
    real = getattr(module, name)

    def call(*args, **kwargs):
        actors.append(kwargs["actor"].get_username())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, call)
    return actors


def link(action, session):
    token = links.session_token(action, session.pk, session.schedule_version)
    return reverse(f"reminders:{action}", args=[token])


def test_the_confirm_link_acts_as_the_patient_link(client, booked, monkeypatch):
    actors = spy(monkeypatch, session_day, "confirm_attendance")
    assert client.post(link("confirm", booked)).status_code == 200
    assert actors == [SystemActor.PATIENT_LINK]


def test_the_cancel_link_acts_as_the_patient_link(client, booked, monkeypatch):
    actors = spy(monkeypatch, outbox, "cancel_by_patient")
    assert client.post(link("cancel", booked)).status_code == 200
    assert actors == [SystemActor.PATIENT_LINK]


def test_the_unsubscribe_link_acts_as_the_patient_link(client, booked, reachable, monkeypatch):
    actors = spy(monkeypatch, outbox, "withdraw_consent")
    path = reverse("reminders:unsubscribe", args=[links.unsubscribe_token(reachable.pk, "sms")])
    assert client.post(path).status_code == 200
    assert actors == [SystemActor.PATIENT_LINK]


def test_the_outbox_tasks_act_as_the_reminders_actor(booked, monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    claims = spy(monkeypatch, outbox, "claim_due")
    sends = spy(monkeypatch, outbox, "deliver")
    agendas = spy(monkeypatch, outbox, "queue_daily_agendas")
    assert tasks.dispatch_due_messages_task() > 0
    message = OutboxMessage.objects.filter(status=Status.QUEUED, channel="email").first()
    assert tasks.send_message_task(message.pk) == Status.SENT
    tasks.queue_daily_agendas_task()
    assert set(claims) == set(sends) == set(agendas) == {SystemActor.REMINDERS}


def test_staff_retry_acts_as_the_staff_member(client, booked, practitioner, monkeypatch):
    message = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED).first()
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED)
    actors = spy(monkeypatch, outbox, "retry_failed")
    client.force_login(practitioner.user)
    client.post(reverse("reminders:retry", args=[message.pk]))
    assert actors == [practitioner.user.username]


def test_the_admin_retry_acts_as_the_manager(manager_client, manager, booked, monkeypatch):
    message = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED).first()
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED)
    actors = spy(monkeypatch, outbox, "retry_failed")
    manager_client.post(
        reverse("admin:reminders_outboxmessage_changelist"),
        {"action": "retry", "_selected_action": [message.pk]},
    )
    assert actors == [manager.username]
