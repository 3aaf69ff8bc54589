"""Migration operations that only apply on PostgreSQL (indexes and constraints SQLite lacks)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState, StateApps


def postgres_only(forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """Run these SQL statements on PostgreSQL; do nothing on other databases."""

    def run(statements: Sequence[str]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
        def apply(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward))


class PostgresExtension(CreateExtension):
    """Django's CreateExtension, reversible on every database.

    Django's own skips other databases going forwards but, going backwards,
    asks ``pg_extension`` whether the extension exists, which fails on SQLite
    ("no such table: pg_extension"): ``migrate courses zero`` stopped there.
    Backwards it drops the extension on PostgreSQL, as Django's does (the
    objects that use it are dropped by the operations listed after it).
    """

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)
