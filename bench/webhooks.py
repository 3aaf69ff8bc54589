"""Webhook delivery benchmark (issue #18): due webhook deliveries through a real Celery
worker (BENCH_WORKER_OPTIONS, as bench.messages) and Redis to a receiver on loopback
(bench.receiver), signed as in production, next to the reminders' e-mail figures.

Prints one JSON line: deliveries per second, duplicates, losses, signatures checked,
the worker's peak memory and CPU per delivery.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta

from bench.messages import WORKER_OPTIONS, drain, rates_by_tenth
from bench.receiver import Receiver

PLACEHOLDER_URL = "http://127.0.0.1:9/hooks"  # the receiver's port is known when measuring


def build(count: int) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from clinic.models import Clinic
    from clinic.permissions import MANAGER, role_group
    from reminders import webhooks
    from reminders.models import OutboxMessage, WebhookDelivery, WebhookEvent

    call_command("migrate", verbosity=0)
    Clinic.objects.get_or_create(pk=1, defaults={"name": "Benchmark clinic"})
    manager = User.objects.create(username="bench-manager", is_staff=True)
    role_group(MANAGER).user_set.add(manager)
    endpoint, _ = webhooks.create_endpoint(
        name="Bench", url=PLACEHOLDER_URL, events=list(WebhookEvent.values), actor=manager
    )
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        (OutboxMessage(kind="webhook", channel="webhook", recipient=PLACEHOLDER_URL,
                       endpoint=endpoint, dedupe_key=f"webhook:bench:{i}",
                       due_at=now - timedelta(minutes=1)) for i in range(count)),
        batch_size=2000,
    )  # fmt: skip
    WebhookDelivery.objects.bulk_create(
        (WebhookDelivery(message=row, event=WebhookEvent.SESSION_MOVED,
                         delivery_id=f"msg_bench{i:08d}", payload=_payload(i, now))
         for i, row in enumerate(rows)),
        batch_size=2000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _payload(i: int, now: object) -> dict[str, object]:
    """A session.moved event as the listener writes it (ids, times, statuses)."""
    at = "2026-01-06T10:00:00+00:00"
    return {"type": "session.moved", "timestamp": str(now), "data": {
        "session": {"id": i, "number": 1 + i % 6, "status": "scheduled", "starts_at": at,
                    "ends_at": at, "practitioner_id": 1, "room_id": 1},
        "course": {"id": i // 6}, "patient": {"id": i // 6}, "previous_starts_at": at,
        "actor": {"type": "staff", "user_id": 1}}}  # fmt: skip


def measure(count: int) -> dict[str, object]:
    receiver = Receiver().start()
    env = {**os.environ, "WEBHOOK_ALLOW_PRIVATE": "1", "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    import django

    django.setup()
    from reminders import signing
    from reminders.models import OutboxMessage, Status, WebhookEndpoint

    WebhookEndpoint.objects.update(url=receiver.url)
    secret = WebhookEndpoint.objects.get().secret
    run = drain(env)
    receiver.stop()
    ids = [r.delivery_id for r in receiver.requests]
    return {
        "deliveries": count,
        "seconds": round(run["elapsed"], 1),
        "per_second": round(count / run["elapsed"], 1),
        "sent": OutboxMessage.objects.filter(status=Status.SENT).count(),
        "received": len(ids),
        "duplicates": len(ids) - len(set(ids)),
        "losses": count - len(set(ids)),
        "bad_signatures": sum(
            not signing.verify(secret, r.headers, r.body) for r in receiver.requests
        ),
        "worker_peak_mb": round(run["peak_kb"] / 1024, 1),
        "worker_cpu_ms_per_delivery": round(run["worker_cpu"] / count * 1000, 2),
        "harness_cpu_ms_per_delivery": round(run["own_cpu"] / count * 1000, 2),
        "worker": " ".join(WORKER_OPTIONS),
        "per_second_by_tenth": rates_by_tenth([r.at for r in receiver.requests]),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    step, number = sys.argv[1], int(sys.argv[2])
    if step == "build":
        build(number)
        print(json.dumps({"built": number}))
    else:
        print(json.dumps(measure(number)))
