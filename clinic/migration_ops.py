"""Migration operations that only apply on PostgreSQL (indexes and constraints SQLite lacks)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def postgres_only(forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """Run these SQL statements on PostgreSQL; do nothing on other databases."""

    def run(statements: Sequence[str]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
        def apply(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward))
