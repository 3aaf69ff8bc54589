"""Who is acting and from which request: the context every audit record carries.

On PostgreSQL the change events are written by django-pghistory's triggers,
which read the context from the connection's settings
``pghistory.context_metadata`` and ``pghistory.context_id``. pghistory's own
``pghistory.context`` puts them in front of every statement (``SELECT
set_config(...); INSERT ...``), which PostgreSQL refuses for a statement bound
on the server, as the planner's are (``server_side_binding``, settings). Here
they are set once for the connection when a context begins or changes, and
cleared when it ends: one short statement per request or task.

The same context is kept in Python (a context variable) for the read,
authentication and refusal records, and for the change records written from
Python on SQLite (``audit.sqlite_trail``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection

from clinic.actors import SystemActor
from clinic.logs import redact

logger = logging.getLogger(__name__)

_current: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def current() -> dict[str, Any]:
    """The metadata of the innermost audit context (empty outside any)."""
    return dict(_current.get() or {})


def new_request_id() -> str:
    """A fresh identifier tying together every record one request or task leaves."""
    return uuid.uuid4().hex


def safe_path(path: str) -> str:
    """The request path as the trail keeps it: link secrets redacted, at most 500 characters.

    The planner's paths hold ids, never names; a patient's link and a feed hold a
    secret, which the trail must not keep (whoever read it could use the link)."""
    return redact(path)[:500]


def _set_connection_context(metadata: dict[str, Any] | None) -> None:
    """Hand the context to PostgreSQL's triggers (nothing to do on other databases)."""
    if connection.vendor != "postgresql":
        return
    if metadata:
        shown = {key: value for key, value in metadata.items() if key != "_context_id"}
        values = [json.dumps(shown, cls=DjangoJSONEncoder), metadata["_context_id"]]
    else:
        values = ["", ""]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pghistory.context_metadata', %s, false),"
                " set_config('pghistory.context_id', %s, false)",
                values,
            )
    except DatabaseError as error:  # the database down (the page says so) or a failed
        # transaction (its writes are rolled back anyway): one line, not a traceback per request
        logger.warning("audit context not set on the database connection: %s", type(error).__name__)


@contextmanager
def audit_context(*, on_database: bool = True, **metadata: Any) -> Iterator[dict[str, Any]]:
    """Attach ``metadata`` (user, actor, method, path, request id ...) to every
    audit record written inside; nested contexts add to the outer one.

    ``on_database=False`` keeps it in Python only (no statement): for a request
    that cannot change tracked rows (an anonymous visitor's, turned away or
    logging in), whose change events, were there any, would name nobody anyway."""
    outer = _current.get()
    merged = {"_context_id": str(uuid.uuid4()), **(outer or {}), **metadata}
    token = _current.set(merged)
    if on_database:
        _set_connection_context(merged)
    try:
        yield merged
    finally:
        _current.reset(token)
        if on_database:
            _set_connection_context(outer)


def system_context(actor: SystemActor, **metadata: Any) -> Any:
    """The audit context of work no person at a screen started (a task, the demo loader)."""
    return audit_context(
        user=None,
        actor=str(actor),
        request_id=metadata.pop("request_id", None) or new_request_id(),
        **metadata,
    )
