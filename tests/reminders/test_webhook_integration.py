"""Webhooks end to end (issue #18): a real Celery worker on the configured broker delivers
through the outbox's dispatcher to a receiver on loopback that answers 500 to the first
three requests of every delivery, then 200: exactly one accepted delivery per event, each
request under the same delivery id and validly signed."""

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.receiver import Receiver
from clinic.actors import SystemActor, system_actor
from courses import rescheduling, services, session_day
from reminders import services as outbox
from reminders import signing, webhooks
from reminders.models import Channel, OutboxMessage, Status, WebhookEvent
from tests.reminders.test_integration import dispatch

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# A finished session (session.done) takes a whole procedure record and a failed message
# (message.failed) a mail relay that refuses: both are wired and tested in
# test_webhook_events.py and test_webhook_delivery.py.
EVENTS = [
    e
    for e in WebhookEvent.values
    if e not in (WebhookEvent.MESSAGE_FAILED, WebhookEvent.SESSION_DONE)
]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    running = Receiver(fail_first=3, fail_status=500).start()
    yield running
    running.stop()


@pytest.fixture
def worker(settings, tmp_path, live_worker):
    settings.SMS_FILE_PATH = tmp_path / "sms.log"  # the patient's own reminders go too
    return live_worker


def make_every_event(draft, reachable, practitioner, time_machine):
    """A booking, a move, cancellations by staff and by the patient, the patient's
    confirmation and a no-show: one webhook event each."""
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    first, second, third, fourth = course.sessions.order_by("number")
    day = timezone.localtime(first.arrives_at)
    rescheduling.reschedule_session(
        session=first, new_day=day.date() + timedelta(days=1), new_time=day.time(),
        scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    rescheduling.cancel_session(session=second, reason="room closed", actor=practitioner.user)
    patient = system_actor(SystemActor.PATIENT_LINK)
    third.refresh_from_db()
    outbox.cancel_by_patient(session=third, version=third.schedule_version, actor=patient)
    session_day.confirm_attendance(session=fourth, actor=patient)
    first.refresh_from_db()
    time_machine.move_to(first.arrives_at + timedelta(minutes=30), tick=True)
    rescheduling.mark_no_show(session=first, actor=practitioner.user)


def test_a_receiver_failing_three_times_gets_each_event_once_validly_signed(
    draft, reachable, practitioner, manager, receiver, worker, time_machine
):
    time_machine.move_to("2026-01-02 12:00Z", tick=True)
    endpoint, secret = webhooks.create_endpoint(
        name="CRM", url=receiver.url, events=EVENTS, actor=manager
    )
    make_every_event(draft, reachable, practitioner, time_machine)
    deliveries = OutboxMessage.objects.filter(channel=Channel.WEBHOOK)
    assert sorted(deliveries.values_list("webhook__event", flat=True)) == sorted(
        EVENTS + [WebhookEvent.SESSION_CANCELLED]  # by staff and by the patient
    )
    for _ in range(6):  # retries after 1, 2 and 4 minutes (the clinic's backoff)
        dispatch()
        if not deliveries.exclude(status=Status.SENT).exists():
            break
        time_machine.shift(timedelta(minutes=5))
    assert set(deliveries.values_list("status", "attempts")) == {(Status.SENT, 4)}
    ids = dict(deliveries.values_list("webhook__delivery_id", "webhook__event"))
    accepted = Counter(r.delivery_id for r in receiver.accepted())
    assert accepted == dict.fromkeys(ids, 1)  # exactly one accepted delivery per event
    assert Counter(r.delivery_id for r in receiver.requests) == dict.fromkeys(ids, 4)
    assert all(signing.verify(secret, r.headers, r.body) for r in receiver.requests)
    events = Counter(json.loads(r.body)["type"] for r in receiver.accepted())
    assert events == Counter(ids.values())
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failing_since) == (True, None)
