"""/healthz's outbox section: the oldest due message's age, stuck rows, paused channels."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinic
from reminders.models import ChannelState, Kind, OutboxMessage, Status


def message(n, **fields):
    values = {"kind": Kind.DAILY_AGENDA, "channel": "email", "recipient": "staff@clinic.example",
              "due_at": timezone.now(), "dedupe_key": f"test:{n}"}  # fmt: skip
    return OutboxMessage.objects.create(**{**values, **fields})


def health(client):
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()


def test_an_empty_outbox_is_healthy(client, db, now):
    status, body = health(client)
    assert (status, body["status"]) == (200, "ok")
    assert body["outbox"] == {"oldest_due_seconds": None, "stuck_past_lease": 0,
                              "paused_channels": {}, "alarm_after_seconds": 600}  # fmt: skip


def test_a_due_message_waiting_past_the_alarm_makes_it_503(client, db, now):
    message(1, due_at=timezone.now() - timedelta(minutes=9))
    message(2, due_at=timezone.now() + timedelta(hours=1))  # not due yet: not counted
    status, body = health(client)
    assert (status, body["outbox"]["oldest_due_seconds"]) == (200, 540)
    message(3, due_at=timezone.now() - timedelta(minutes=11), status=Status.QUEUED,
            claimed_at=timezone.now())  # fmt: skip
    status, body = health(client)
    assert (status, body["status"]) == (503, "outbox_delayed")
    assert body["outbox"]["oldest_due_seconds"] == 660
    assert body["database"] == "ok"


def test_the_alarm_time_is_the_clinics(client, db, now):
    clinic = Clinic.current()
    clinic.outbox_alarm_minutes = 30
    clinic.save()
    message(1, due_at=timezone.now() - timedelta(minutes=20))
    status, body = health(client)
    assert (status, body["outbox"]["alarm_after_seconds"]) == (200, 1800)


def test_rows_stuck_past_their_lease_and_paused_channels_are_reported(client, db, now):
    started = timezone.now() - timedelta(minutes=11)
    message(1, status=Status.SENDING, started_at=started, started_by="elsewhere/b/1/1",
            due_at=started)  # fmt: skip
    message(2, status=Status.SENDING, started_at=timezone.now(), started_by="elsewhere/b/1/1")
    ChannelState.objects.create(channel="email", failures=5, paused_since=started)
    status, body = health(client)
    assert body["outbox"]["stuck_past_lease"] == 1
    assert body["outbox"]["paused_channels"] == {"email": started.isoformat()}
    assert (status, body["status"]) == (503, "outbox_delayed")  # due, and unsent for 11 minutes


def queries_of_health(client):
    with CaptureQueriesContext(connection) as queries:
        health(client)
    return len(queries)


def add_rows(start, count):
    for n in range(start, start + count):
        for status in (Status.PENDING, Status.QUEUED, Status.SENDING, Status.SENT):
            message(f"{status}:{n}", status=status, started_at=timezone.now(),
                    claimed_at=timezone.now())  # fmt: skip


def test_the_outbox_section_reads_a_fixed_number_of_queries(client, db, now):
    add_rows(0, 1)
    few = queries_of_health(client)
    add_rows(1, 40)
    assert queries_of_health(client) == few  # the row count changes nothing


def test_a_channel_paused_longer_than_the_alarm_makes_it_503_with_nothing_due(client, db, now):
    ChannelState.objects.create(
        channel="email", failures=5, paused_since=timezone.now() - timedelta(minutes=9)
    )
    status, body = health(client)
    assert (status, body["outbox"]["oldest_due_seconds"]) == (200, None)
    ChannelState.objects.update(paused_since=timezone.now() - timedelta(minutes=11))
    status, body = health(client)
    assert (status, body["status"]) == (503, "outbox_delayed")
