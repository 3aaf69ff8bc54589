"""``manage.py backup DIR``: the database, the uploaded files and a manifest, in a new folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's backup API) and MEDIA_ROOT into DIR, "
        "with a manifest of checksums. DIR must be new or empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="folder to create (or an empty one)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = create_backup(
                Path(options["directory"]), media_root=Path(settings.MEDIA_ROOT)
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up the {summary.vendor} database and {summary.media_files} media files: "
            f"{summary.files} files, {summary.bytes:,} bytes, in {summary.directory}"
        )
