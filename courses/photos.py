"""Before and after photos: validated, re-encoded without metadata, stored under random names.

Re-encoding drops EXIF (including GPS location) and any other embedded
metadata; the orientation EXIF described is applied to the pixels first.

A photo's file and its row appear together (issue #15): the file is written
under a temporary name beside its final one, the row is saved, and the file is
moved into place (``os.replace``, atomic within one folder) when the
transaction commits. A write that fails (a full disk) leaves nothing behind and
saves no row. When a row goes, directly or with its session, course or patient,
its file is deleted once that transaction commits; a rolled-back delete keeps it.
"""

from __future__ import annotations

import logging
import os
import posixpath
from datetime import datetime
from functools import partial
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from clinic.actors import Actor
from courses.models import PhotoKind, Session, SessionPhoto, photo_path

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_SIDE = 2400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
NOT_STORED = (
    "The photo could not be stored (the server's disk may be full), so nothing was saved. "
    "Try again later, and tell the clinic manager if it happens again."
)


class PhotoError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_image(upload: UploadedFile) -> ContentFile:
    """A JPEG of the upload with no metadata, at most MAX_SIDE pixels on its long side."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise PhotoError(f"The photo is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError("Upload a JPEG, PNG or WebP photo.")
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PhotoError("That file is not a photo the planner can read.") from None
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = BytesIO()
    upright.save(out, format="JPEG", quality=88)  # no exif= argument: nothing carried over
    return ContentFile(out.getvalue(), name="photo.jpg")


@transaction.atomic
def add_photo(
    *,
    session: Session,
    kind: str,
    upload: UploadedFile,
    actor: Actor,
    now: datetime | None = None,
) -> SessionPhoto:
    """Store a re-encoded before or after photo of ``session``.

    The file is staged beside its final name and moved there when the
    transaction commits. Called as the outermost transaction (the upload view);
    should an enclosing transaction roll back after this returns, the hidden
    staged file stays (no row names it, nothing serves it).
    """
    if kind not in PhotoKind.values:
        raise PhotoError("Say whether the photo is from before or after the session.")
    photo = SessionPhoto(
        session=session, kind=kind, uploaded_by=actor, uploaded_at=now or timezone.now()
    )
    photo.image.name = photo_path(photo, "photo.jpg")
    storage = photo.image.storage
    staged = _stage_file(storage, photo.image.name, clean_image(upload))
    try:
        photo.save()
    except BaseException:
        _remove_file(storage, staged)
        raise
    transaction.on_commit(partial(_move_into_place, storage, staged, photo.image.name))
    return photo


def _stage_file(storage: Storage, name: str, content: ContentFile) -> str:
    """Write ``content`` under a temporary name in ``name``'s folder and return that name.

    On any error writing (a full disk, a lost mount) the partial file is
    removed and PhotoError says so: nothing is left behind.
    """
    folder, base = posixpath.split(name)
    staged = posixpath.join(folder, f".{base}.part")  # hidden, and never a row's name
    try:
        os.makedirs(os.path.dirname(storage.path(staged)), exist_ok=True)
        with storage.open(staged, "wb") as out:
            for chunk in content.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        _remove_file(storage, staged)
        logger.error("Photo not stored: %s", error.strerror or type(error).__name__)
        raise PhotoError(NOT_STORED) from None
    return staged


def _move_into_place(storage: Storage, staged: str, name: str) -> None:
    """On commit: give the staged file its row's name (an atomic rename in one folder)."""
    os.replace(storage.path(staged), storage.path(name))


def _remove_file(storage: Storage, name: str) -> None:
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
            partial(_remove_file, instance.image.storage, instance.image.name),
            using=kwargs.get("using"),
        )
