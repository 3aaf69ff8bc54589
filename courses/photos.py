"""Before and after photos: validated, re-encoded without metadata, stored under random names.

Re-encoding drops EXIF (including GPS location) and any other embedded
metadata; the orientation EXIF described is applied to the pixels first.

A photo's file and its row appear together, and go together (courses.photo_files).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from clinic.actors import Actor
from clinic.permissions import require
from courses import photo_files, session_flow
from courses.models import PhotoKind, Session, SessionPhoto, photo_path

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_SIDE = 2400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class PhotoError(Exception):
    """A photo refused, with the message staff see."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_image(upload: UploadedFile) -> ContentFile:
    """A JPEG of the upload with no metadata, at most MAX_SIDE pixels on its long side."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise PhotoError(
            gettext("The photo is larger than %(megabytes)d MB.")
            % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError(gettext("Upload a JPEG, PNG or WebP photo."))
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PhotoError(gettext("That file is not a photo the planner can read.")) from None
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
    require(actor, "courses.run_session", session)
    now = now or timezone.now()
    refusal = session_flow.photo_refusal(
        status=session.status,
        booked_on=timezone.localdate(session.arrives_at),
        today=timezone.localdate(now),
    )
    if refusal is not None:
        raise PhotoError(refusal)
    if kind not in PhotoKind.values:
        raise PhotoError(gettext("Say whether the photo is from before or after the session."))
    photo = SessionPhoto(session=session, kind=kind, uploaded_by=actor, uploaded_at=now)
    photo.image.name = photo_path(photo, "photo.jpg")
    storage = photo.image.storage
    try:
        staged = photo_files.stage_file(storage, photo.image.name, clean_image(upload))
    except photo_files.PhotoStorageError as error:
        raise PhotoError(error.message) from None
    try:
        photo.save()
    except BaseException:
        photo_files.remove_file(storage, staged)
        raise
    transaction.on_commit(partial(photo_files.move_into_place, storage, staged, photo.image.name))
    return photo
