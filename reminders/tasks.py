"""Thin Celery tasks over reminders.services (ids only; rows say what to do)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from reminders import services


@shared_task(time_limit=60, soft_time_limit=50)
def dispatch_due_messages_task() -> int:
    """Every minute (beat): claim due messages and enqueue one send task each, after commit."""
    with transaction.atomic():
        claimed = services.claim_due()
        transaction.on_commit(lambda: [send_message_task.delay(pk) for pk in claimed])
    return len(claimed)


@shared_task(time_limit=120, soft_time_limit=100)
def send_message_task(message_id: int) -> str:
    """Send one claimed message; a repeated delivery of this task sends nothing."""
    return services.deliver(message_id)


@shared_task(time_limit=60, soft_time_limit=50)
def queue_daily_agendas_task() -> int:
    return services.queue_daily_agendas()
