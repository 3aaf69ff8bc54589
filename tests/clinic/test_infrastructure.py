"""The suite runs on the services it was pointed at (PostgreSQL and Redis in CI)."""

import os
import time

import pytest
from django.conf import settings
from django.db import connection

from clinic import celery as worker_signals
from clinic.celery import app as celery_app


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="DATABASE_URL not set")
def test_runs_on_postgresql_when_database_url_is_set(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}")


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="DATABASE_URL not set")
def test_postgresql_prepares_the_statements_a_connection_repeats(db):
    from clinic.models import Clinic

    for _ in range(6):  # psycopg prepares a statement on its fifth run
        Clinic.objects.filter(pk=1).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "clinic_clinic"' in statement for statement in prepared)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_celery_uses_redis_when_redis_url_is_set():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        assert conn.transport.driver_type == "redis"
        print(f"Redis broker at {conn.as_uri()}")


def test_celery_hands_back_a_lost_workers_task_and_never_redelivers_on_a_timeout():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    if settings.REDIS_URL:  # the outbox's lease, not Redis's visibility timeout, recovers
        assert conf.broker_transport_options["ack_emulation"] is False


def test_models_and_migrations_agree(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_templates_load_nothing_from_other_hosts():
    import re
    from pathlib import Path

    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    external = re.compile(r"""(src|href)=["'](https?:)?//""")
    offenders = [str(t) for t in templates if external.search(t.read_text())]
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_a_worker_does_not_recheck_the_connection_its_last_task_just_used():
    connection.ensure_connection()
    worker_signals.note_task_end()
    worker_signals.close_stale_database_connections()
    assert connection.health_check_done  # no extra "SELECT 1" before this task


@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_a_connection_that_sat_idle_before_using_it(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(
        worker_signals._this_thread, "last_task_ended", time.monotonic() - 60, raising=False
    )
    worker_signals.close_stale_database_connections()
    assert connection.connection is not None
    assert not connection.health_check_done


@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_a_connection_that_saw_an_error_even_just_after_a_task():
    connection.ensure_connection()
    worker_signals.note_task_end()
    connection.errors_occurred = True
    worker_signals.close_stale_database_connections()  # checks it: it works, so kept
    assert connection.connection is not None
    assert connection.errors_occurred is False
