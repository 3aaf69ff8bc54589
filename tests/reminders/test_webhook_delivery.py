"""Webhook deliveries through the outbox's own claim and send (issue #18), to a real HTTP
receiver on loopback: signed, retried with backoff on 5xx and time-outs, failed at the
clinic's limit and retried by staff; an endpoint failing for a day is switched off and
the managers are told."""

import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.receiver import Receiver
from clinic.accounts.models import StaffPreferences
from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from reminders import content, signing, webhooks
from reminders import services as outbox
from reminders.channels import TemporaryFailure
from reminders.channels.email import smtp
from reminders.models import Channel, Kind, OutboxMessage, Status, WebhookEvent
from tests.factories import manager_user

REMINDERS = SystemActor.REMINDERS


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def endpoint(manager, receiver, now):
    made, _ = webhooks.create_endpoint(
        name="CRM", url=receiver.url, events=list(WebhookEvent.values), actor=manager
    )
    return made


def queue(event=WebhookEvent.SESSION_MOVED, data=None):
    webhooks.queue_event(event, data or {"session": {"id": 7}})
    return OutboxMessage.objects.filter(channel=Channel.WEBHOOK).latest("id")


def attempt(message):
    """Claim what is due now and send this message, as the dispatcher and its task would."""
    actor = system_actor(REMINDERS)
    assert message.pk in outbox.claim_due(actor=actor)
    outcome = outbox.deliver(message.pk, actor=actor)
    message.refresh_from_db()
    return outcome


def test_a_delivery_is_signed_in_the_standard_webhooks_form(endpoint, receiver):
    message = queue(data={"session": {"id": 7, "status": "scheduled"}})
    assert attempt(message) == Status.SENT
    [request] = receiver.requests
    delivery = message.webhook
    assert request.headers["webhook-id"] == delivery.delivery_id
    assert request.headers["webhook-timestamp"] == str(int(timezone.now().timestamp()))
    assert request.headers["content-type"] == "application/json"
    assert signing.verify(endpoint.secret, request.headers, request.body)
    assert json.loads(request.body) == {
        "type": "session.moved", "timestamp": "2026-01-02T12:00:00+00:00",
        "data": {"session": {"id": 7, "status": "scheduled"}},
    }  # fmt: skip
    assert message.provider_message_id == f"{delivery.delivery_id} (200)"


def test_5xx_is_retried_with_backoff_under_the_same_delivery_id(endpoint, receiver, time_machine):
    receiver.fail_first = 3
    message = queue()
    waits = []
    for _ in range(3):
        assert attempt(message) == "retry"
        assert message.last_error == "the endpoint answered 500"
        waits.append(message.due_at - timezone.now())
        time_machine.move_to(message.due_at, tick=False)
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert attempt(message) == Status.SENT
    assert [r.status for r in receiver.requests] == [500, 500, 500, 200]
    assert {r.delivery_id for r in receiver.requests} == {message.webhook.delivery_id}
    assert all(signing.verify(endpoint.secret, r.headers, r.body) for r in receiver.requests)
    stamps = [int(r.headers["webhook-timestamp"]) for r in receiver.requests]
    assert stamps == sorted(set(stamps))  # each attempt signs its own time
    assert list(message.events.values_list("event", flat=True)) == [
        "created", "retry", "retry", "retry",
    ]  # fmt: skip


def test_fails_at_the_clinics_limit_and_the_retry_button_sends_it_again(
    endpoint, receiver, time_machine, reception
):
    receiver.fail_first = 5
    message = queue()
    for _ in range(4):
        assert attempt(message) == "retry"
        time_machine.move_to(message.due_at, tick=False)
    assert attempt(message) == Status.FAILED
    assert message.last_error == "gave up after 5 attempts: the endpoint answered 500"
    assert outbox.retry_failed(message=message, actor=reception)
    message.refresh_from_db()
    assert attempt(message) == Status.SENT
    assert len(receiver.accepted()) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (301, "the endpoint answered 301 (redirects are not followed)"),
        (404, "the endpoint answered 404"),
        (410, "the endpoint answered 410"),
    ],
)
def test_a_redirect_or_4xx_fails_at_once(endpoint, receiver, status, error):
    receiver.fail_first, receiver.fail_status = 1, status
    message = queue()
    assert attempt(message) == Status.FAILED
    assert message.last_error == error
    assert len(receiver.requests) == 1


def test_a_receiver_that_never_answers_is_a_time_out_retried(endpoint, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        webhooks.update_endpoint(
            endpoint=endpoint, name="Silent", url=silent_url,
            events=endpoint.events, actor=endpoint.created_by,
        )  # fmt: skip
        message = queue()
        assert attempt(message) == "retry"
    assert message.last_error == "no answer within 1 s"


def test_a_loopback_address_is_refused_in_production(endpoint, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    message = queue()
    assert attempt(message) == Status.FAILED
    assert message.last_error == "the endpoint's address is not on the public internet"
    assert receiver.requests == []


def test_a_delivery_to_an_endpoint_switched_off_meanwhile_is_cancelled(endpoint, receiver, manager):
    message = queue()
    webhooks.switch_endpoint(endpoint=endpoint, on=False, actor=manager)
    assert attempt(message) == Status.CANCELLED
    assert message.last_error == "the webhook endpoint is switched off"
    assert receiver.requests == []


def fail_at(message, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=moment, attempts=0)
    return attempt(message)


def test_an_endpoint_failing_for_a_day_is_switched_off_and_the_managers_told(
    endpoint, receiver, time_machine, manager
):
    receiver.fail_first = 1000
    other = manager_user(username="second-boss", email="second@clinic.example")
    StaffPreferences.objects.create(user=other, language="de")
    manager_user(username="no-address", email="")
    start = timezone.now()
    message = queue()
    assert fail_at(message, time_machine, start) == "retry"
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failing_since) == (True, start)
    assert fail_at(message, time_machine, start + timedelta(hours=23, minutes=59)) == "retry"
    endpoint.refresh_from_db()
    assert endpoint.active
    assert fail_at(message, time_machine, start + timedelta(hours=24)) == "retry"
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_at) == (False, start + timedelta(hours=24))
    assert endpoint.disabled_reason.startswith("every delivery failed for 24 hours (since ")
    assert endpoint.disabled_reason.endswith("last error: the endpoint answered 500")
    notices = OutboxMessage.objects.filter(kind=Kind.WEBHOOK_DISABLED).order_by("recipient")
    assert [(n.recipient, n.staff_id, n.endpoint_id) for n in notices] == [
        (manager.email, manager.pk, endpoint.pk), (other.email, other.pk, endpoint.pk),
    ]  # fmt: skip
    assert [content.message_language(n) for n in notices] == ["en-gb", "de"]
    # its next retry goes nowhere: the endpoint is off
    time_machine.move_to(message.due_at, tick=False)
    assert attempt(message) == Status.CANCELLED


def test_the_managers_notice_says_which_endpoint_and_why(endpoint, receiver, time_machine):
    receiver.fail_first = 1000
    Clinic.objects.update_or_create(pk=1, defaults={"name": "Clinic", "webhook_disable_hours": 2})
    message = queue()
    start = timezone.now()
    fail_at(message, time_machine, start)
    fail_at(message, time_machine, start + timedelta(hours=2))
    notice = OutboxMessage.objects.get(kind=Kind.WEBHOOK_DISABLED)
    email = content.render(notice)
    assert email.subject == "Webhook switched off: CRM"
    assert receiver.url in email.text
    assert "every delivery failed for 2 hours" in email.text
    assert "/webhooks/" in email.text
    assert attempt(notice) == Status.SENT  # the e-mail goes (the test mail backend)


def test_a_success_restarts_the_failure_clock(endpoint, receiver, time_machine):
    receiver.fail_first = 1
    start = timezone.now()
    first = queue()
    assert fail_at(first, time_machine, start) == "retry"
    assert fail_at(first, time_machine, start + timedelta(hours=20)) == Status.SENT
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
    second = queue()
    assert fail_at(second, time_machine, start + timedelta(hours=30)) == "retry"
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failing_since) == (True, start + timedelta(hours=30))


def test_the_managers_notice_is_dropped_once_the_endpoint_is_on_again(
    endpoint, receiver, time_machine, manager
):
    receiver.fail_first = 1000
    message, start = queue(), timezone.now()
    fail_at(message, time_machine, start)
    fail_at(message, time_machine, start + timedelta(hours=24))
    webhooks.switch_endpoint(endpoint=endpoint, on=True, actor=manager)
    notice = OutboxMessage.objects.get(kind=Kind.WEBHOOK_DISABLED)
    assert attempt(notice) == Status.CANCELLED
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failing_since, endpoint.disabled_reason) == (True, None, "")


def refuse(message):
    raise TemporaryFailure("451 mailbox busy")


def test_a_failed_email_is_announced_and_a_failed_webhook_is_not(endpoint, receiver, booked):
    """``message.failed`` for any other message given up on; never about a webhook delivery
    (an endpoint down would otherwise tell itself about itself)."""
    receiver.fail_first = 1000
    email = OutboxMessage.objects.filter(kind=Kind.COURSE_BOOKED, channel="email").get()
    OutboxMessage.objects.filter(pk=email.pk).update(attempts=4)
    OutboxMessage.objects.exclude(pk=email.pk).delete()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(smtp, "deliver", refuse)
        assert attempt(email) == Status.FAILED
    [announced] = OutboxMessage.objects.filter(webhook__event=WebhookEvent.MESSAGE_FAILED)
    assert announced.webhook.payload["data"]["message"]["id"] == email.pk
    OutboxMessage.objects.filter(pk=announced.pk).update(attempts=4)
    assert attempt(announced) == Status.FAILED
    assert OutboxMessage.objects.filter(webhook__event=WebhookEvent.MESSAGE_FAILED).count() == 1


def test_a_webhook_row_without_its_payload_is_cancelled_not_stuck(endpoint, receiver):
    message = queue()
    message.webhook.delete()
    message = OutboxMessage.objects.get(pk=message.pk)
    assert attempt(message) == Status.CANCELLED
    assert message.last_error == "the delivery has no payload"
    assert receiver.requests == []
