"""Thin Celery tasks over reminders.services (ids only; rows say what to do)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction

from clinic.actors import SystemActor, system_actor
from reminders import services


@shared_task(time_limit=60, soft_time_limit=50)
def dispatch_due_messages_task(budget_seconds: float = 40.0) -> int:
    """Every minute (beat): claim due messages and enqueue one send task each, after commit.

    A backlog drains at the workers' pace rather than one batch a minute: while
    due messages wait (held back by the in-flight cap) and the budget lasts, it
    claims again as sends finish.
    """
    started, total = time.monotonic(), 0
    actor = system_actor(SystemActor.REMINDERS)
    services.reclaim_dead_workers(actor=actor)  # this host's dead workers' rows, at once
    while True:
        with transaction.atomic():
            claimed = services.claim_due(actor=actor)
            transaction.on_commit(partial(enqueue_sends, claimed))
        total += len(claimed)
        if time.monotonic() - started > budget_seconds:
            return total
        if len(claimed) < services.CLAIM_BATCH:
            if not services.backlog_waiting():
                return total
            time.sleep(services.BACKLOG_POLL_SECONDS)


def enqueue_sends(message_ids: list[int]) -> None:
    """One send task per message, published over one broker connection."""
    with send_message_task.app.producer_or_acquire() as producer:
        for pk in message_ids:
            send_message_task.apply_async((pk,), producer=producer)


@shared_task(time_limit=120, soft_time_limit=100)
def send_message_task(message_id: int) -> str:
    """Send one claimed message; a repeated delivery of this task sends nothing."""
    return services.deliver(message_id, actor=system_actor(SystemActor.REMINDERS))


@shared_task(time_limit=60, soft_time_limit=50)
def queue_daily_agendas_task() -> int:
    return services.queue_daily_agendas(actor=system_actor(SystemActor.REMINDERS))


@worker_ready.connect
def reclaim_on_worker_start(**kwargs: Any) -> None:
    """A worker starting on a host sends again at once what that host's dead workers held.

    Runs in the worker's main process, before it forks pool processes; Celery's
    Django fix-up closes the connections a forked child inherits.
    """
    services.reclaim_dead_workers(actor=system_actor(SystemActor.REMINDERS))
