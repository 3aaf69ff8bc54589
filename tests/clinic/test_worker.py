"""A real Celery worker, on the configured broker, runs a task against the database."""

import time

import pytest

from clinic.models import WorkerHeartbeat
from clinic.tasks import CELERY_WORKER, record_heartbeat_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_worker_runs_heartbeat_task_through_the_broker(live_worker):
    record_heartbeat_task.delay()
    assert wait_for(lambda: WorkerHeartbeat.objects.filter(name=CELERY_WORKER).exists())
