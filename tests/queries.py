"""Query counting for the "does not grow with data" tests."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def queries_to_get(client: Client, url: str, data: dict | None = None) -> int:
    """How many queries a successful GET of the page takes."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries)
