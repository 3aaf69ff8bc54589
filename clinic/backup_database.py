"""The database half of a backup: dump, load, emptiness and migration state.

PostgreSQL is dumped with ``pg_dump`` in its custom format (one consistent
snapshot: pg_dump reads everything in one repeatable-read transaction) and
loaded with ``pg_restore`` in a single transaction, so a load that fails leaves
the target as it was. SQLite is copied with SQLite's online backup API (a
consistent copy while the web server and worker keep writing) and loaded with
the same API in reverse. The password travels in ``PGPASSWORD``, never on a
command line, and neither it nor a row of data is logged.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
DUMP_FILES = {POSTGRESQL: "database.pgdump", SQLITE: "database.sqlite3"}
# `pg_restore --list`, an extension's comment: "4286; 0 0 COMMENT - EXTENSION btree_gist"
EXTENSION_COMMENT = re.compile(r"^\d+; \d+ \d+ COMMENT - EXTENSION ")
# libpq reads these from the environment; the DATABASES setting may carry them as OPTIONS.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
}


class DatabaseBackupError(Exception):
    """A dump or load that could not be made; the message says why, for the operator."""


def check_vendor(connection: BaseDatabaseWrapper) -> str:
    """The connection's vendor, refused unless the backup commands know how to dump it."""
    if connection.vendor not in DUMP_FILES:
        raise DatabaseBackupError(
            f"Backups cover PostgreSQL and SQLite; this database is {connection.vendor}."
        )
    return connection.vendor


def dump_database(connection: BaseDatabaseWrapper, target: Path) -> None:
    """Write a consistent copy of the connection's database to ``target``."""
    if check_vendor(connection) == POSTGRESQL:
        _run_client("pg_dump", ["--format=custom", f"--file={target}"], connection)
    else:
        _copy_sqlite(connection, target)


def load_database(connection: BaseDatabaseWrapper, source: Path) -> None:
    """Load a dump made by :func:`dump_database` into the (empty) connection's database.

    All or nothing: pg_restore runs in one transaction and stops at the first
    error; SQLite's backup API copies every page in one step.
    """
    if check_vendor(connection) == POSTGRESQL:
        connection.close()  # pg_restore is another session; ours must not hold anything open
        with tempfile.TemporaryDirectory(prefix="planner-restore-") as folder:
            contents = Path(folder) / "contents.list"
            contents.write_text(_restorable_contents(_list_contents(source)), encoding="utf-8")
            restore_options = [
                "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl",
                f"--use-list={contents}",
            ]  # fmt: skip
            _run_client("pg_restore", [*restore_options, str(source)], connection)
    else:
        _load_sqlite(connection, source)


def _list_contents(source: Path) -> str:
    """The dump's table of contents (``pg_restore --list``: reads the file, not the database)."""
    executable = _client_program("pg_restore")
    try:
        result = subprocess.run(  # noqa: S603 - an argument list, no shell
            [executable, "--list", str(source)], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise DatabaseBackupError(f"pg_restore could not be started: {exc.strerror}.") from None
    if result.returncode != 0:
        raise DatabaseBackupError(f"pg_restore failed: {_first_error(result.stderr)}")
    return result.stdout


def _restorable_contents(contents: str) -> str:
    """The table of contents without the extensions' comments.

    ``COMMENT ON EXTENSION`` needs the extension's owner. Where a superuser
    created btree_gist and pg_trgm in the new database beforehand (the usual
    way for a planner whose database user is not a superuser), the restoring
    owner is not theirs and, with ``--exit-on-error``, the whole restore failed
    on a comment. ``CREATE EXTENSION`` writes the same comment from the
    extension's control file, so nothing is lost.
    """
    kept = [line for line in contents.splitlines() if not EXTENSION_COMMENT.match(line)]
    return "\n".join(kept) + "\n"


def table_names(connection: BaseDatabaseWrapper) -> list[str]:
    """The tables the connection sees (SQLite's own bookkeeping tables left out)."""
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def count_rows(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows per table, every table the connection sees."""
    counts = {}
    with connection.cursor() as cursor:
        for table in table_names(connection):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def latest_migrations(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The latest applied migration of each app, as recorded in the database.

    Migration names start with their number, so the greatest name is the latest.
    """
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        latest[app_label] = max(name, latest.get(app_label, ""))
    return dict(sorted(latest.items()))


def unknown_migrations(migrations: dict[str, str]) -> list[str]:
    """Migrations a backup has applied that this code does not have (a newer planner made it)."""
    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    return sorted(f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known)


def pending_migrations(connection: BaseDatabaseWrapper) -> list[str]:
    """What ``manage.py migrate`` would apply to the connection's database now."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _run_client(program: str, arguments: list[str], connection: BaseDatabaseWrapper) -> None:
    """Run pg_dump or pg_restore against the connection's database; refuse on any failure."""
    executable = _client_program(program)
    connection_arguments, environment = client_connection(connection.settings_dict)
    try:
        result = subprocess.run(  # noqa: S603 - an argument list, no shell
            [executable, "--no-password", *connection_arguments, *arguments],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise DatabaseBackupError(f"{program} could not be started: {exc.strerror}.") from None
    if result.returncode != 0:
        raise DatabaseBackupError(f"{program} failed: {_first_error(result.stderr)}")


def _client_program(program: str) -> str:
    executable = shutil.which(program)
    if executable is None:
        raise DatabaseBackupError(
            f"{program} is not installed or not on PATH: install the PostgreSQL client of the "
            "server's major version (Debian: apt-get install postgresql-client-15)."
        )
    return executable


def client_connection(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Arguments and environment that point pg_dump or pg_restore at a configured database.

    The password goes only into the environment (``PGPASSWORD``): a command line
    is visible to every user of the machine in the process list.
    """
    return _connection_arguments(settings_dict), _client_environment(settings_dict)


def _connection_arguments(settings_dict: dict[str, Any]) -> list[str]:
    arguments = [f"--dbname={settings_dict['NAME']}"]
    if settings_dict.get("HOST"):
        arguments.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        arguments.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        arguments.append(f"--username={settings_dict['USER']}")
    return arguments


def _client_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the password and TLS options from settings."""
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in LIBPQ_OPTIONS.items():
        if options.get(option):
            environment[variable] = str(options[option])
    return environment


def _first_error(stderr: str) -> str:
    """The first error line of a PostgreSQL client's output (short, no row data dumped)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()] or lines or ["no message"]
    return errors[0][:300]


def _copy_sqlite(connection: BaseDatabaseWrapper, target: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # every page in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as exc:
        raise DatabaseBackupError(f"The SQLite copy failed: {exc}.") from None
    finally:
        copy.close()


def _load_sqlite(connection: BaseDatabaseWrapper, source: Path) -> None:
    connection.ensure_connection()
    dump = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
    try:
        dump.backup(connection.connection)
    except sqlite3.Error as exc:
        raise DatabaseBackupError(f"Loading the SQLite copy failed: {exc}.") from None
    finally:
        dump.close()
