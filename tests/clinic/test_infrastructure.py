"""The suite runs on the services it was pointed at (PostgreSQL and Redis in CI)."""

import os

import pytest
from django.conf import settings
from django.db import connection

from clinic.celery import app as celery_app


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="DATABASE_URL not set")
def test_runs_on_postgresql_when_database_url_is_set(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
def test_celery_uses_redis_when_redis_url_is_set():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        assert conn.transport.driver_type == "redis"
        print(f"Redis broker at {conn.as_uri()}")


def test_celery_is_configured_not_to_lose_messages():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    if settings.REDIS_URL:
        assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


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
