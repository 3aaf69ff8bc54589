"""Migration operations that only apply on PostgreSQL (indexes and constraints SQLite lacks)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations


def postgres_only(forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """Run these SQL statements on PostgreSQL; do nothing on other databases."""

    def run(statements: Sequence[str]) -> object:
        def apply(apps: object, schema_editor: object) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward))
