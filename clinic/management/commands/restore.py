"""``manage.py restore DIR``: a checked backup onto an empty database and MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.backup import BackupError, RestoreSummary, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` after checking every checksum. The "
        "database must have no tables (create it, do not migrate it) and MEDIA_ROOT no files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="the backup's folder (holds manifest.json)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore_backup(
                Path(options["directory"]), media_root=Path(settings.MEDIA_ROOT)
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.report(summary, verbosity=options["verbosity"])

    def report(self, summary: RestoreSummary, *, verbosity: int) -> None:
        self.stdout.write(
            f"Restored {sum(summary.rows.values()):,} rows in {len(summary.rows)} tables and "
            f"{summary.media_files} media files ({summary.media_bytes:,} bytes)."
        )
        if verbosity > 1:
            for table, rows in summary.rows.items():
                self.stdout.write(f"  {table}: {rows:,}")
        if not summary.same_migrations:
            self.stderr.write(
                "The restored migration state differs from the one the manifest records."
            )
        if summary.pending_migrations:
            self.stdout.write(
                f"The backup predates this code: `manage.py migrate` has "
                f"{len(summary.pending_migrations)} migrations to apply "
                f"({', '.join(summary.pending_migrations)}). Run it before starting the planner."
            )
        else:
            self.stdout.write(
                "Migrations: as in the backup; `manage.py migrate` has nothing to do."
            )
