"""Fail the run at once when CI's real services are missing.

``.ci/run`` sets ``CLINIC_REQUIRE_SERVICES=1``: then PostgreSQL, Redis and
Chromium must all answer, and the suite stops with a clear message otherwise,
instead of quietly skipping the tests that need them.
"""

from __future__ import annotations

import os
import shutil

import pytest


def chromium_path() -> str | None:
    """The system Chromium Playwright should drive, if installed."""
    configured = os.environ.get("CHROMIUM_PATH", "").strip()
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def services_required() -> bool:
    return os.environ.get("CLINIC_REQUIRE_SERVICES", "") == "1"


def check_required_services() -> list[str]:
    """Problems with the services CI must use; empty when all answer."""
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL")
    else:
        import psycopg

        try:
            psycopg.connect(database_url, connect_timeout=5).close()
        except psycopg.Error as exc:
            problems.append(f"PostgreSQL is not answering at DATABASE_URL: {exc}")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url.startswith("redis://"):
        problems.append("REDIS_URL must point at Redis")
    else:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis is not answering at REDIS_URL: {exc}")
    if chromium_path() is None:
        problems.append("Chromium is not installed (apt-get install chromium)")
    return problems


def pytest_sessionstart(session: pytest.Session) -> None:
    if not services_required():
        return
    problems = check_required_services()
    if problems:
        pytest.exit("Required services missing:\n  " + "\n  ".join(problems), returncode=3)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which database, broker and browser this run uses."""
    database = os.environ.get("DATABASE_URL", "")
    database = database.split("@")[-1] if database else "SQLite (embedded default)"
    broker = os.environ.get("REDIS_URL", "") or "file-system broker (embedded default)"
    browser = chromium_path() or "none (browser tests skip)"
    required = "required" if services_required() else "optional"
    return [f"services ({required}): database={database} broker={broker} browser={browser}"]
