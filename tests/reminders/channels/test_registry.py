"""The channel seam: a channel defined here, registered for the test, gets the outbox's messages
through the normal claim and send path, with nothing else in the project edited."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses import services
from reminders import channels, content
from reminders import services as outbox
from reminders.models import Kind, OutboxMessage, Status
from reminders.tasks import send_message_task


class RecordingPager:
    """A small real channel: consent kept in a set, each send recorded instead of posted."""

    key = "pager"  # fits OutboxMessage.channel (10 characters); no choices entry needed to send
    label = "Pager"
    short_texts = False

    def __init__(self):
        self.consents = set()
        self.sent = []
        self.fail_with = None

    def chosen(self, patient):
        return True

    def consented(self, patient):
        return patient.pk in self.consents

    def address(self, patient):
        return f"https://pager.example/patients/{patient.pk}"

    def withdraw_consent(self, patient):
        self.consents.discard(patient.pk)

    def render(self, message, *, now=None):
        context = content.build_context(message, Clinic.cached(), now=now)
        return render_to_string(f"sms/{message.kind}.txt", context).strip()

    def send(self, rendered, *, to, reference):
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((to, rendered, reference))
        return f"hook-{reference}"


@pytest.fixture
def pager():
    channel = channels.register(RecordingPager())
    yield channel
    channels.unregister(channel.key)


@pytest.fixture
def booked_with_pager(pager, draft, reachable, practitioner):
    pager.consents.add(reachable.pk)
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course


def test_a_registered_channel_receives_a_due_message_through_the_outbox(booked_with_pager, pager):
    [message] = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED, channel="pager")
    assert outbox.claim_due(now=timezone.now(), actor=system_actor(SystemActor.REMINDERS)) != []
    assert send_message_task(message.pk) == Status.SENT
    [(to, text, reference)] = pager.sent
    assert to == f"https://pager.example/patients/{booked_with_pager.patient_id}"
    assert "course of 4 sessions is booked" in text
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider_message_id == f"hook-outbox-{message.pk}"


def test_a_new_channel_gets_reminders_and_shows_on_the_patient(booked_with_pager, pager):
    first = booked_with_pager.sessions.get(number=1)
    kinds = OutboxMessage.objects.filter(session=first, channel="pager").values_list("kind")
    assert sorted(k for (k,) in kinds) == ["reminder_48h"]  # the short one goes by SMS
    states = outbox.channel_states(booked_with_pager.patient)
    assert states == [("E-mail", "on"), ("SMS", "on"), ("Pager", "on")]


def test_a_new_channels_temporary_failure_is_retried(booked_with_pager, pager):
    [message] = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED, channel="pager")
    pager.fail_with = channels.TemporaryFailure("pager answered 503")
    outbox.claim_due(now=timezone.now(), actor=system_actor(SystemActor.REMINDERS))
    assert outbox.deliver(message.pk, actor=system_actor(SystemActor.REMINDERS)) == "retry"
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.PENDING, "pager answered 503")
    assert message.due_at > timezone.now()
    assert pager.sent == []


def test_without_the_channels_consent_nothing_is_queued_on_it(
    pager, draft, reachable, practitioner
):
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    assert not OutboxMessage.objects.filter(channel="pager").exists()
    assert ("Pager", "no_consent") in outbox.channel_states(reachable)


def test_a_message_on_a_channel_no_longer_registered_is_not_sent(booked_with_pager, pager):
    [message] = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED, channel="pager")
    channels.unregister("pager")
    outbox.claim_due(
        now=timezone.now() + timedelta(minutes=1), actor=system_actor(SystemActor.REMINDERS)
    )
    assert outbox.deliver(message.pk, actor=system_actor(SystemActor.REMINDERS)) == Status.CANCELLED
    assert pager.sent == []


def test_a_channel_key_registers_once(pager):
    with pytest.raises(ValueError, match="already registered"):
        channels.register(RecordingPager())
    assert [c.key for c in channels.all()] == ["email", "sms", "webhook", "pager"]


@pytest.mark.parametrize(
    ("key", "reminder_channel", "takes"),
    [("email", "email", True), ("email", "both", False), ("sms", "both", True),
     ("sms", "sms", True), ("pager", "email", True), ("pager", "sms", False)],
)  # fmt: skip
def test_short_reminder_goes_by_sms_to_patients_who_chose_it(
    pager, patient, key, reminder_channel, takes
):
    patient.reminder_channel = reminder_channel
    assert channels.takes_short_reminder(key, patient) is takes


@pytest.mark.parametrize("fault", [IsADirectoryError(21, "Is a directory"), RuntimeError("bug")])
def test_a_channel_that_breaks_unexpectedly_retries_then_fails_visibly(
    booked_with_pager, pager, fault
):
    [message] = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED, channel="pager")
    pager.fail_with = fault
    worker = system_actor(SystemActor.REMINDERS)
    outbox.claim_due(now=timezone.now(), actor=worker)
    assert outbox.deliver(message.pk, actor=worker) == "retry"  # not left "sending"
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.last_error == f"the Pager channel failed ({type(fault).__name__})"
    clinic = Clinic.current()
    clinic.message_max_attempts = message.attempts  # the next attempt is the last
    clinic.save()
    outbox.claim_due(now=message.due_at, actor=worker)
    assert outbox.deliver(message.pk, actor=worker, now=message.due_at) == Status.FAILED
    message.refresh_from_db()
    assert message.status == Status.FAILED  # on the failed-messages screen for staff
