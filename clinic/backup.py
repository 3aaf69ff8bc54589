"""Backups of the planner: the database, the uploaded files and a manifest of checksums.

A backup is a folder: the database dump (``clinic.backup_database``), a copy of
MEDIA_ROOT under ``media/`` (photos), and ``manifest.json`` with the format
version, when it was made, the Django version, the database vendor, the latest
applied migration of each app, and the SHA-256 and size of every other file.

A backup is written into a hidden temporary folder next to the target and
renamed into place at the end, so a folder with a manifest is always complete;
a failed backup removes its temporary folder. A restore checks every checksum
before it touches anything, loads onto an empty database only (one with no
tables at all: never migrated) and into a MEDIA_ROOT with no files. It puts
the media in place before it loads the database (in one transaction), and
takes them back if the load fails, so a failed restore changes neither.
Uploads still staged and a restore's partial folder are not backed up.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.db import DatabaseError, connections
from django.utils import timezone

from clinic import backup_database as database
from clinic.backup_database import DatabaseBackupError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
CHUNK_BYTES = 1024 * 1024
PRIVATE_FILE_MODE = 0o600  # health data: only the account that makes backups reads them
STAGED_UPLOAD = ".*.part"  # courses.photo_files.stage_file's hidden name, before its row commits
RESTORE_PARTIAL = ".restore-partial-"  # a restore's media, copied and checked, not yet moved


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the backup folder, "/"-separated
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: str
    django: str
    vendor: str
    database_file: str
    migrations: dict[str, str]
    files: tuple[FileEntry, ...]

    @property
    def media_files(self) -> tuple[FileEntry, ...]:
        return tuple(f for f in self.files if f.path.startswith(f"{MEDIA}/"))

    def as_json(self) -> str:
        data = {"format": FORMAT_VERSION, **asdict(self)}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class BackupSummary:
    directory: Path
    vendor: str
    files: int
    media_files: int
    bytes: int


@dataclass(frozen=True)
class RestoreSummary:
    rows: dict[str, int]  # per table
    media_files: int
    media_bytes: int
    pending_migrations: list[str]  # what `manage.py migrate` would still apply
    same_migrations: bool  # the restored migration state is the manifest's


def create_backup(
    directory: Path,
    *,
    media_root: Path,
    using: str = "default",
    now: datetime | None = None,
) -> BackupSummary:
    """Back up the database and ``media_root`` into ``directory`` (new, or empty)."""
    directory = directory.absolute()
    connection = connections[using]
    try:
        vendor = database.check_vendor(connection)
    except DatabaseBackupError as exc:
        raise BackupError(str(exc)) from None
    _refuse_used_directory(directory)
    if directory.is_relative_to(media_root.absolute()):
        raise BackupError(f"{directory} is inside MEDIA_ROOT: keep backups outside it.")
    work = _make_work_folder(directory)
    try:
        migrations = database.latest_migrations(connection)
        dump_name = database.DUMP_FILES[vendor]
        database.dump_database(connection, work / dump_name)
        os.chmod(work / dump_name, PRIVATE_FILE_MODE)
        files = (_describe(work, dump_name), *_copy_media(media_root, work / MEDIA))
        manifest = Manifest(
            created_at=(now or timezone.now()).isoformat(),
            django=django.get_version(),
            vendor=vendor,
            database_file=dump_name,
            migrations=migrations,
            files=files,
        )
        _write_private(work / MANIFEST, manifest.as_json().encode())
        _fsync_folder(work)
        _rename_into_place(work, directory)
    except BaseException as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise _as_backup_error(exc, f"The backup to {directory} failed") from None
    return BackupSummary(
        directory=directory,
        vendor=vendor,
        files=len(files) + 1,
        media_files=len(manifest.media_files),
        bytes=sum(f.size for f in files) + (directory / MANIFEST).stat().st_size,
    )


def verify_backup(directory: Path) -> Manifest:
    """The backup's manifest, once every file it lists is there with its size and checksum.

    Refuses, naming the file, on a missing, changed or unlisted file.
    """
    manifest = read_manifest(directory)
    for entry in manifest.files:
        path = directory / entry.path
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {entry.path} is missing.")
        size, digest = _hash_file(path)
        if (size, digest) != (entry.size, entry.sha256):
            raise BackupError(
                f"{entry.path} in the backup does not match its checksum in {MANIFEST}: "
                "the file was changed or damaged; do not restore from this copy."
            )
    listed = {entry.path for entry in manifest.files} | {MANIFEST}
    unlisted = sorted(set(_relative_files(directory)) - listed)
    if unlisted:
        raise BackupError(
            f"The backup holds files its manifest does not list: {', '.join(unlisted[:5])}."
        )
    return manifest


def read_manifest(directory: Path) -> Manifest:
    """Parse ``manifest.json``, refusing anything but a manifest this code wrote."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{directory} holds no {MANIFEST}: it is not a backup, or one that never finished."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse_manifest(data)
    except KeyError as exc:
        raise BackupError(f"{MANIFEST} in {directory} cannot be read: no {exc}.") from None
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise BackupError(f"{MANIFEST} in {directory} cannot be read: {exc}.") from None


def restore_backup(directory: Path, *, media_root: Path, using: str = "default") -> RestoreSummary:
    """Restore a verified backup onto an empty database and an empty ``media_root``.

    The media go into place first, then the database is loaded: the load is
    all or nothing, and media files can be taken back, so a failure at either
    step leaves the database and ``media_root`` as they were. The other order
    left a loaded database without its photos when moving them failed.
    """
    directory = directory.absolute()
    manifest = verify_backup(directory)
    connection = connections[using]
    try:
        _refuse_restore_target(manifest, connection, media_root)
        placed = _place_media(directory, manifest, media_root)
    except (DatabaseBackupError, DatabaseError, OSError) as exc:
        raise _as_backup_error(exc, "The restore failed before it changed anything") from None
    try:
        database.load_database(connection, directory / manifest.database_file)
    except BaseException as exc:
        _take_back_media(placed, media_root)
        raise _as_backup_error(
            exc, "The restore failed; the database was left empty and MEDIA_ROOT as it was"
        ) from None
    try:
        restored = database.latest_migrations(connection)
        pending = database.pending_migrations(connection)
        rows = database.count_rows(connection)
    except DatabaseError as exc:
        raise BackupError(
            f"The database and media were restored, but reading them back failed ({exc}). "
            f"Check with `manage.py migrate --check`; to start again, drop and recreate the "
            f"database (createdb -T template0), empty MEDIA_ROOT ({media_root}) and restore again."
        ) from None
    return RestoreSummary(
        rows=rows,
        media_files=len(manifest.media_files),
        media_bytes=sum(f.size for f in manifest.media_files),
        pending_migrations=pending,
        same_migrations=restored == manifest.migrations,
    )


def _refuse_used_directory(directory: Path) -> None:
    if not directory.exists():
        return
    if not directory.is_dir():
        raise BackupError(f"{directory} exists and is not a folder.")
    if (directory / MANIFEST).exists():
        raise BackupError(f"{directory} already holds a backup; give a new folder.")
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; give a new or empty folder.")


def _make_work_folder(directory: Path) -> Path:
    """A private temporary folder next to ``directory``, on the same disk so it renames."""
    blocking = next((p for p in directory.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise BackupError(f"Cannot write {directory}: {blocking} is a file, not a folder.")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    except OSError as exc:
        raise BackupError(f"Cannot write next to {directory}: {exc.strerror}.") from None


def _rename_into_place(work: Path, directory: Path) -> None:
    try:
        os.rename(work, directory)  # replaces an empty folder; fails on a non-empty one
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise BackupError(f"{directory} was filled while the backup ran.") from None
        if exc.errno in (errno.EXDEV, errno.EBUSY):
            raise BackupError(
                f"{directory} is a mount point or on another disk than its parent folder: "
                "give a new folder inside it."
            ) from None
        raise
    _fsync_folder(directory.parent)


def _copy_media(media_root: Path, target: Path) -> list[FileEntry]:
    """Copy every regular file under ``media_root`` (symbolic links are not followed).

    Files not yet (or never) in their place are left out: uploads still staged
    and a restore's partial folder. A file deleted while the backup runs is
    skipped: the database dump was taken first, so it holds no row made after
    the copy started.
    """
    target.mkdir()
    entries = []
    for relative in _relative_files(media_root):
        source = media_root / relative
        if source.is_symlink() or is_unfinished_media(relative):
            continue
        try:
            reader = source.open("rb")
        except FileNotFoundError:
            continue
        with reader:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            size, digest = _copy_stream(reader, destination, mode=PRIVATE_FILE_MODE)
        entries.append(FileEntry(f"{MEDIA}/{relative}", digest, size))
    return entries


def is_unfinished_media(relative: str) -> bool:
    """A file under MEDIA_ROOT that is no one's yet: a staged upload or a restore's leftover.

    courses.photo_files stages an upload as a hidden ``.NAME.part`` beside its
    place until its row commits (clinic cannot import courses, so the pattern is
    matched here); an interrupted restore leaves its ``.restore-partial-*`` folder.
    """
    parts = PurePosixPath(relative).parts
    return parts[0].startswith(RESTORE_PARTIAL) or fnmatch.fnmatchcase(parts[-1], STAGED_UPLOAD)


def _refuse_restore_target(manifest: Manifest, connection: Any, media_root: Path) -> None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"This is a backup of a {manifest.vendor} database; the configured database is "
            f"{connection.vendor}. Restore it into the same kind of database."
        )
    unknown = database.unknown_migrations(manifest.migrations)
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of the planner (migrations unknown here: "
            f"{', '.join(unknown)}); restore it with that version."
        )
    tables = database.table_names(connection)
    if tables:
        raise BackupError(
            f"The database is not empty ({len(tables)} tables, e.g. {tables[0]}): restore "
            "only into a new database that was never migrated."
        )
    held = list(_relative_files(media_root))
    if held:
        raise BackupError(
            f"MEDIA_ROOT ({media_root}) holds {len(held)} files, e.g. {held[0]}: move them "
            "away or point MEDIA_ROOT at an empty folder (a restore that was interrupted "
            "leaves its files there: empty the folder and restore again)."
        )


def _stage_media(directory: Path, manifest: Manifest, media_root: Path) -> Path:
    """Copy the backup's media into a hidden folder inside ``media_root``, checking each file.

    Inside, not next to it: MEDIA_ROOT is often a mount point, and renames stay on its disk.
    """
    media_root.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=RESTORE_PARTIAL, dir=media_root))
    try:
        for entry in manifest.media_files:
            destination = staged / PurePosixPath(entry.path).relative_to(MEDIA)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with (directory / entry.path).open("rb") as reader:
                size, digest = _copy_stream(reader, destination, mode=0o666)  # umask applies
            if (size, digest) != (entry.size, entry.sha256):
                raise BackupError(f"{entry.path} changed while it was being restored.")
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def _place_media(directory: Path, manifest: Manifest, media_root: Path) -> list[Path]:
    """Copy and check the backup's media, then move them into ``media_root``; what was placed.

    A failure takes back whatever was already placed and removes the staged copy.
    """
    staged = _stage_media(directory, manifest, media_root)
    placed: list[Path] = []
    try:
        for child in sorted(staged.iterdir()):
            os.rename(child, media_root / child.name)  # over an empty folder, never a full one
            placed.append(media_root / child.name)
    except BaseException:
        _take_back_media(placed, media_root)
        raise
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return placed


def _take_back_media(placed: list[Path], media_root: Path) -> None:
    """Remove the media a failed restore placed, or say how to reset by hand."""
    for path in placed:
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            raise BackupError(
                f"The restore failed and the media files it had placed could not be removed "
                f"({exc.strerror}: {exc.filename}). Nothing was loaded into the database. Empty "
                f"MEDIA_ROOT ({media_root}) before restoring again."
            ) from None


def _relative_files(root: Path) -> list[str]:
    """Every file under ``root`` (not following links to folders), "/"-separated, sorted."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in names:
            path = Path(folder) / name
            if path.is_file() or path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def _describe(work: Path, name: str) -> FileEntry:
    size, digest = _hash_file(work / name, sync=True)
    return FileEntry(name, digest, size)


def _hash_file(path: Path, *, sync: bool = False) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
        if sync:
            os.fsync(reader.fileno())
    return size, digest.hexdigest()


def _copy_stream(reader: Any, destination: Path, *, mode: int) -> tuple[int, str]:
    """Copy to a new file (refusing to overwrite), hashing on the way; flushed to disk."""
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with open(descriptor, "wb") as writer:
        while chunk := reader.read(CHUNK_BYTES):
            writer.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return size, digest.hexdigest()


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with open(descriptor, "wb") as writer:
        writer.write(content)
        writer.flush()
        os.fsync(writer.fileno())


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _as_backup_error(exc: BaseException, context: str) -> BaseException:
    """Our own errors as they are; disk, database and client errors as a BackupError."""
    if isinstance(exc, BackupError):
        return exc
    if isinstance(exc, DatabaseBackupError):
        return BackupError(f"{context}: {exc}")
    if isinstance(exc, OSError):
        path = exc.filename2 or exc.filename  # a rename's target is the one in the way
        where = f" ({path})" if path else ""
        return BackupError(f"{context}: {exc.strerror or exc}{where}.")
    if isinstance(exc, DatabaseError):
        return BackupError(f"{context}: the database answered: {exc}".strip())
    return exc


def _parse_manifest(data: Any) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise ValueError(f"not a backup manifest of format {FORMAT_VERSION}")
    files = tuple(_parse_entry(entry) for entry in data["files"])
    database_file = _text(data, "database_file")
    if database_file not in {entry.path for entry in files}:
        raise ValueError(f"the database dump {database_file} is not among its files")
    migrations = data["migrations"]
    if not isinstance(migrations, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in migrations.items()
    ):
        raise ValueError("migrations must map each app to its latest migration")
    return Manifest(
        created_at=_text(data, "created_at"),
        django=_text(data, "django"),
        vendor=_text(data, "vendor"),
        database_file=database_file,
        migrations=migrations,
        files=files,
    )


def _parse_entry(entry: Any) -> FileEntry:
    path = _text(entry, "path")
    parts = PurePosixPath(path).parts
    if path.startswith("/") or ".." in parts or not parts or "\\" in path or path == MANIFEST:
        raise ValueError(f"a file path outside the backup folder: {path!r}")
    size = entry["size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"a bad size for {path}")
    sha256 = _text(entry, "sha256")
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"a bad SHA-256 for {path}")
    return FileEntry(path, sha256, size)


def _text(data: Any, key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be text")
    return value
