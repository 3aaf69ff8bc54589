"""Before and after photos: validated, re-encoded without metadata, stored under random names.

Re-encoding drops EXIF (including GPS location) and any other embedded
metadata; the orientation EXIF described is applied to the pixels first.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from clinic.actors import Actor
from courses.models import PhotoKind, Session, SessionPhoto

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_SIDE = 2400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


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
    uploaded_by: Actor,
    now: datetime | None = None,
) -> SessionPhoto:
    if kind not in PhotoKind.values:
        raise PhotoError("Say whether the photo is from before or after the session.")
    photo = SessionPhoto(
        session=session, kind=kind, uploaded_by=uploaded_by, uploaded_at=now or timezone.now()
    )
    photo.image.save("photo.jpg", clean_image(upload), save=False)
    photo.save()
    return photo
