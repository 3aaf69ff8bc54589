"""Pages by cursor: stable under inserts, no counting of the whole table."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: tuple[str, ...] = ("id",)


class SessionCursor(Cursor):
    # The sessions' time index leads with the procedure start (courses.models).
    ordering = ("procedure_starts_at", "id")


class OutboxCursor(Cursor):
    ordering = ("due_at", "id")


class NewestCursor(Cursor):
    """A patient's records, newest first."""

    ordering = ("-id",)
