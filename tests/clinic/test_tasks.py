import time_machine
from django.utils import timezone

from clinic.models import WorkerHeartbeat
from clinic.tasks import CELERY_WORKER, record_heartbeat_task


def test_heartbeat_task_records_now(db):
    with time_machine.travel("2026-03-01 09:00Z", tick=False):
        record_heartbeat_task()
    with time_machine.travel("2026-03-01 09:01Z", tick=False):
        record_heartbeat_task()
        assert WorkerHeartbeat.objects.get(name=CELERY_WORKER).seen_at == timezone.now()
    assert WorkerHeartbeat.objects.count() == 1
