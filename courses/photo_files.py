"""A photo's file and its row appear together, and go together (issue #15).

The file is written under a temporary hidden name beside its final one, the
row is saved, and the file is moved into place (``os.replace``, atomic within
one folder) when the transaction commits. A write that fails (a full disk)
leaves nothing behind and saves no row. When a row goes, directly or with its
session, course or patient, its file is deleted once that transaction
commits; a rolled-back delete keeps it. Staged files that never reached their
place are swept hourly: moved into place when their row committed (the process
died before the rename, or the rename failed), deleted when no row names them
(the upload's transaction rolled back). For the file-system storage the planner uses.
"""

from __future__ import annotations

import logging
import os
import posixpath
import time
from functools import partial
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy

from courses.models import SessionPhoto

logger = logging.getLogger(__name__)

PHOTO_FOLDER = "session-photos"  # courses.models.photo_path
STAGED_SUFFIX = ".part"
STALE_AFTER_SECONDS = 3600  # an upload is staged and committed within one request
NOT_STORED = gettext_lazy(
    "The photo could not be stored (the server's disk may be full), so nothing was saved. "
    "Try again later, and tell the clinic manager if it happens again."
)


class PhotoStorageError(Exception):
    """The photo's file could not be written; nothing was left behind."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def stage_file(storage: Storage, name: str, content: ContentFile) -> str:
    """Write ``content`` under a temporary name in ``name``'s folder and return that name.

    On any error writing (a full disk, a lost mount) the partial file is
    removed and PhotoStorageError says so: nothing is left behind.
    """
    folder, base = posixpath.split(name)
    staged = posixpath.join(folder, f".{base}{STAGED_SUFFIX}")  # hidden, and never a row's name
    try:
        os.makedirs(os.path.dirname(storage.path(staged)), exist_ok=True)
        with storage.open(staged, "wb") as out:
            for chunk in content.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        remove_file(storage, staged)
        logger.error("Photo not stored: %s", error.strerror or type(error).__name__)
        raise PhotoStorageError(str(NOT_STORED)) from None
    return staged


def move_into_place(storage: Storage, staged: str, name: str) -> None:
    """On commit: give the staged file its row's name (an atomic rename in one folder).

    The row is committed by now, so a failed rename is not the upload's failure:
    it is logged (the names are random, no patient data) and the hourly sweep
    moves the staged file into place later (``remove_stale_staged_files``).
    """
    try:
        os.replace(storage.path(staged), storage.path(name))
    except OSError as error:
        logger.error("Photo file %s not moved into place (the sweep will): %s", name,
                     error.strerror)  # fmt: skip


def remove_file(storage: Storage, name: str) -> None:
    """Delete a stored file if it is there; a file already gone is no error."""
    try:
        storage.delete(name)
    except FileNotFoundError:
        pass
    except OSError as error:  # the row is gone either way; the name is random, no patient data
        logger.error("Photo file %s not deleted: %s", name, error.strerror)


def delete_file_on_commit(
    sender: type[SessionPhoto], instance: SessionPhoto, **kwargs: Any
) -> None:
    """post_delete of SessionPhoto: remove its file once the deleting transaction commits.

    A signal, not a service: a photo row also goes by cascade (its session,
    course or patient deleted, in the planner or the admin), which only
    Django's collector sees. Deleting on commit keeps the file of a delete that
    is rolled back.
    """
    if instance.image.name:
        transaction.on_commit(
            partial(remove_file, instance.image.storage, instance.image.name),
            using=kwargs.get("using"),
        )


def remove_stale_staged_files(
    storage: Storage = default_storage, older_than: float = STALE_AFTER_SECONDS
) -> int:
    """Settle staged photo files older than ``older_than`` seconds; how many were deleted.

    A staged file whose row committed (the process died between the commit and
    the on-commit rename, or the rename failed) is moved into place: the row
    would otherwise name no file for ever. One that no row names belongs to an
    upload whose transaction never committed, and is deleted.
    """
    folder = Path(storage.path(PHOTO_FOLDER))
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than
    removed = 0
    for staged in folder.glob(f".*{STAGED_SUFFIX}"):
        try:
            if staged.stat().st_mtime >= cutoff:  # its upload may still be committing
                continue
            name = f"{PHOTO_FOLDER}/{staged.name[1 : -len(STAGED_SUFFIX)]}"
            if not _move_if_committed(staged, Path(storage.path(name)), name):
                staged.unlink()
                removed += 1
        except FileNotFoundError:
            continue
        except OSError as error:  # one file that cannot be settled does not stop the sweep
            logger.error("Staged photo file %s not settled: %s", staged.name, error.strerror)
    return removed


@transaction.atomic
def _move_if_committed(staged: Path, final: Path, name: str) -> bool:
    """Move ``staged`` to ``final`` if a committed row names it and its file is missing.

    Whether it moved: if not, no row names it, or the row's file is in place
    and the staged copy is a leftover. The row is locked while the file moves,
    so a delete of it waits and its on-commit removal then finds the file in
    place (PostgreSQL; SQLite takes no row locks).
    """
    if final.exists() or not SessionPhoto.objects.select_for_update().filter(image=name).exists():
        return False
    os.replace(staged, final)
    logger.warning("Photo file %s moved into place by the sweep", name)
    return True
