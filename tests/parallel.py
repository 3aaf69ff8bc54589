"""Running the suite in parallel (pytest-xdist, ``pytest -n 2``): each worker keeps to itself.

pytest-django already gives every xdist worker its own test database
(``test_<name>_gw0``, ``test_<name>_gw1``), and live servers, SMTP sinks and
Chromium each take a free port. What is left shared is the Celery broker: a
live worker of one xdist worker would take the other's tasks and run them
against the wrong database. So worker ``gwN`` uses Redis database
``base + N`` (the base is the database number in ``REDIS_URL``), or its own
folders for the embedded file broker. Without xdist nothing changes.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS_DATABASES = 16  # Redis's default number of databases (0-15)


def worker_index() -> int | None:
    """The xdist worker's number (``gw1`` is 1), or None outside xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name.removeprefix("gw")) if name.startswith("gw") else None


def redis_url_for_worker(url: str, index: int) -> str:
    """``url`` with its database number moved up by ``index`` (``redis://h:6379/7`` -> ``/8``)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + index
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"REDIS_URL database {base} plus xdist worker {index} is past Redis's "
            f"{REDIS_DATABASES} databases: use a lower database number or fewer workers."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def isolate_broker(index: int) -> None:
    """Point this process's Celery app (and Django's settings) at the worker's own broker."""
    from django.conf import settings

    from clinic.celery import app

    if settings.REDIS_URL:
        url = redis_url_for_worker(settings.REDIS_URL, index)
        os.environ["REDIS_URL"] = url  # for subprocesses and the services check
        settings.REDIS_URL = settings.CELERY_BROKER_URL = url
        app.conf.broker_url = url
        return
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    folder = Path(options["data_folder_in"]).parent / f"gw{index}"
    for name in ("queue", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    options["data_folder_in"] = options["data_folder_out"] = str(folder / "queue")
    options["control_folder"] = str(folder / "control")
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    app.conf.broker_transport_options = options


def pytest_configure(config: pytest.Config) -> None:
    index = worker_index()
    if index is not None:
        isolate_broker(index)
