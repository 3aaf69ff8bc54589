"""Thin Celery tasks over reminders.services (ids only; rows say what to do)."""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction
from kombu.exceptions import ChannelError

from clinic.actors import SystemActor, system_actor
from reminders import services

logger = logging.getLogger(__name__)
# How long the dispatcher waits for a broker connection to ask its queue's length.
BROKER_TIMEOUT_SECONDS = 3


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
        republish = republish_needed()
        with transaction.atomic():
            claimed = services.claim_due(actor=actor, republish_stale=republish)
            transaction.on_commit(partial(enqueue_sends, claimed))
        total += len(claimed)
        if time.monotonic() - started > budget_seconds:
            return total
        if len(claimed) < services.CLAIM_BATCH:
            if not services.backlog_waiting():
                return total
            time.sleep(services.BACKLOG_POLL_SECONDS)


def republish_needed() -> bool:
    """Whether rows queued longer than the requeue time are to be published again.

    Only when the broker holds fewer send tasks than there are queued rows not
    started: it lost some (Redis restarted). Workers merely slower than the
    requeue time leave their tasks in the broker, and publishing those again
    each tick would only pile up duplicates. The broker is asked first, so a
    worker starting a row in between cannot look like a loss. When the broker
    cannot say, the rows are published again (a duplicate task is harmless).
    """
    if not services.count_queued():
        return True  # nothing queued: nothing to publish again either way
    waiting = waiting_sends()
    return waiting is None or waiting < services.count_queued()


def waiting_sends() -> int | None:
    """How many tasks wait in the send task's queue, or None when the broker cannot say.

    Other tasks on the same queue (beat's few ticks) count too: a loss smaller
    than they are is found a tick later, when they have run.
    """
    app = send_message_task.app
    queue = app.conf.task_default_queue  # send tasks are not routed elsewhere
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            channel = connection.default_channel  # kombu's stub names too few of its methods
            declared = channel.queue_declare(queue=queue, passive=True)  # type: ignore[attr-defined]
            return int(declared.message_count)
    except ChannelError:  # no such queue (Redis drops an empty list): nothing waits
        return 0
    except Exception as error:  # kombu raises transport-specific errors: all mean "cannot say"
        # One line, no traceback: while the broker is down this comes every tick.
        logger.warning("dispatcher: the broker did not say how many sends wait (%s: %s)",
                       type(error).__name__, error)  # fmt: skip
        return None


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
