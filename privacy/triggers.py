"""Switching off exactly the append-only protection of named tables, for one transaction.

The change-event tables and the access records refuse UPDATE and DELETE by trigger
(``append_only``, pgtrigger.Protect). Erasure alone must rewrite the patient's rows in
them: ``ignore_append_only(models)`` does what ``pgtrigger.ignore("app.Model:append_only",
...)`` does, for exactly those triggers and only until the transaction ends. pgtrigger's
own ``ignore`` cannot run here: it puts ``SELECT set_config(...);`` before every statement,
and the planner's PostgreSQL connections bind parameters on the server, where a statement
with parameters may not hold two commands. So the same setting
(``pgtrigger.ignore``, the trigger ids the installed triggers look up) is set once, with
``is_local`` (the end of the transaction clears it), and cleared on leaving.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pgtrigger
from django.db import connection, models, transaction

TRIGGER = "append_only"


def append_only_triggers() -> dict[str, str]:
    """Each protected model's label and its ``append_only`` trigger's database name."""
    return {
        model._meta.label: trigger.get_pgid(model)
        for model, trigger in pgtrigger.registered()
        if trigger.name == TRIGGER
    }


def _trigger_ids(chosen: Iterable[type[models.Model]]) -> list[str]:
    protected = append_only_triggers()
    return [protected[m._meta.label] for m in chosen if m._meta.label in protected]


def _set(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [value])


@contextmanager
def ignore_append_only(chosen: Iterable[type[models.Model]]) -> Iterator[None]:
    """Inside a transaction: the ``append_only`` triggers of ``chosen`` let rows change."""
    if connection.vendor != "postgresql":  # SQLite has no triggers: nothing to lift
        yield
        return
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("ignore_append_only needs a transaction")
    ids = _trigger_ids(chosen)
    _set("{" + ",".join(ids) + "}")
    try:
        yield
    finally:
        _set("{}")
