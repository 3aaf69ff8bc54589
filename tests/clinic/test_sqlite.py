"""The embedded default: several processes (web, worker, beat) share one SQLite file."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

ALIAS = "shared_sqlite_file"


@pytest.fixture(autouse=True)
def own_database_files(django_db_blocker):
    """These tests open their own SQLite files, not the test database."""
    with django_db_blocker.unblock():
        yield


def open_file_database(path, options):
    """A connection to ``path`` configured as the planner configures SQLite."""
    connections[ALIAS] = DatabaseWrapper(
        {
            **connections.settings["default"],
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": dict(options),
            "CONN_MAX_AGE": 0,
        },
        alias=ALIAS,
    )


def read_then_write(path, options, errors):
    """What the dispatcher and the heartbeat do: read, then write, in one transaction."""
    open_file_database(path, options)  # per thread, as each process has its own
    try:
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            (value,) = cursor.fetchone()
            time.sleep(0.3)  # the other writer reads meanwhile
            cursor.execute("UPDATE counter SET n = %s", [value + 1])
    except Exception as exc:  # noqa: BLE001 - the test reports whatever fails
        errors.append(repr(exc))
    finally:
        connections[ALIAS].close()


def run_two_writers(path, options):
    open_file_database(path, options)
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    errors = []
    threads = [
        threading.Thread(target=read_then_write, args=(path, options, errors)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        (total,) = cursor.fetchone()
    connections[ALIAS].close()
    return errors, total


def test_two_processes_writing_at_once_wait_for_each_other_instead_of_failing(tmp_path):
    errors, total = run_two_writers(tmp_path / "db.sqlite3", settings.SQLITE_OPTIONS)
    assert errors == []
    assert total == 2  # neither write was lost


def test_without_the_planners_options_the_same_writers_collide(tmp_path):
    """The test above can fail: SQLite's defaults give "database is locked"."""
    errors, _ = run_two_writers(tmp_path / "db.sqlite3", {"timeout": 5})
    assert any("database is locked" in error for error in errors)


def test_sqlite_file_is_in_write_ahead_logging_mode(tmp_path):
    open_file_database(tmp_path / "db.sqlite3", settings.SQLITE_OPTIONS)
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    connections[ALIAS].close()
