"""The planner's own address, as patients and phones reach it (``PLANNER_BASE_URL``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def message_host() -> str:
    """The host name that makes message and calendar-event ids unique to this planner."""
    return urlsplit(settings.PLANNER_BASE_URL).hostname or "localhost"
