"""The dispatcher against the real broker: stale queued rows are published again only when
the broker lost their tasks (Redis with REDIS_URL, else the embedded file-system broker)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.celery import app
from reminders import tasks
from reminders.models import MessageEvent, OutboxMessage, Status

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_queue():
    """The send queue, emptied before and after (no worker consumes it here)."""

    def purge():
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(app.conf.task_default_queue)

    purge()
    yield
    purge()


def tick(capture):
    """One dispatcher run, publishing its claims when its transaction commits."""
    with capture(execute=True):
        return tasks.dispatch_due_messages_task(budget_seconds=0)


def republished():
    return MessageEvent.objects.filter(event="re-published").count()


def test_a_slow_workers_still_queued_rows_are_not_published_again(
    letters, empty_queue, time_machine, django_capture_on_commit_callbacks
):
    start = timezone.now()
    assert tick(django_capture_on_commit_callbacks) == len(letters)
    assert tasks.waiting_sends() == len(letters)  # in the broker, no worker has taken one
    time_machine.move_to(start + timedelta(minutes=5), tick=False)  # long past the requeue time
    assert not tasks.republish_needed()
    assert tick(django_capture_on_commit_callbacks) == 0
    assert tasks.waiting_sends() == len(letters)  # no duplicate tasks piled up
    assert republished() == 0
    assert set(OutboxMessage.objects.values_list("claimed_at", flat=True)) == {start}


def test_a_lost_queue_is_published_again(
    letters, empty_queue, time_machine, django_capture_on_commit_callbacks
):
    start = timezone.now()
    tick(django_capture_on_commit_callbacks)
    with app.connection_for_write() as connection:  # the broker restarts empty
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    time_machine.move_to(start + timedelta(seconds=61), tick=False)
    assert tasks.republish_needed()
    assert tick(django_capture_on_commit_callbacks) == len(letters)
    assert tasks.waiting_sends() == len(letters)
    assert republished() == len(letters)
    statuses = set(OutboxMessage.objects.values_list("status", "claimed_at"))
    assert statuses == {(Status.QUEUED, timezone.now())}
