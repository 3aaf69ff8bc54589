import errno
import io
import os
import time
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from courses import photo_files, rescheduling, services
from courses.models import Course, Session, SessionPhoto
from courses.photo_files import NOT_STORED
from courses.photos import add_photo
from courses.tasks import remove_stale_photo_uploads_task

GPS_IFD = 0x8825
MAKE = 0x010F


def jpeg_with_location(size=(64, 48)):
    image = Image.new("RGB", size, "pink")
    exif = Image.Exif()
    exif[MAKE] = "ClinicCam"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def session(draft, practitioner, settings, tmp_path, time_machine):
    """The course's first session, on its day (photos are taken on the day or once begun)."""
    settings.MEDIA_ROOT = tmp_path
    course = draft(needle_mm=Decimal("0.5"), sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    first = course.sessions.get(number=1)
    time_machine.move_to(first.arrives_at - timedelta(hours=1), tick=False)
    return first


@pytest.fixture
def staff(client, practitioner):
    client.force_login(practitioner.user)
    return client


@pytest.fixture
def upload(staff, session, django_capture_on_commit_callbacks):
    """Post a photo as the planner does, its transaction committed (files moved into place)."""

    def post(kind="before", image=None):
        with django_capture_on_commit_callbacks(execute=True):
            return staff.post(
                reverse("courses:photo_upload", args=[session.pk]),
                {"kind": kind, "image": image or jpeg_with_location()},
            )

    return post


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


class FullDisk(io.FileIO):
    """A file on a disk that fills up: half of the first write lands, then ENOSPC."""

    def write(self, data):
        super().write(bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullDiskStorage(FileSystemStorage):
    def _open(self, name, mode="rb"):
        if "w" in mode:
            return File(FullDisk(self.path(name), mode))
        return super()._open(name, mode)


def test_upload_strips_location_and_camera_data(upload, session):
    assert Image.open(jpeg_with_location()).getexif().get(GPS_IFD) is not None
    response = upload("before")
    assert response.status_code == 302
    photo = SessionPhoto.objects.get()
    assert "IMG_0001" not in photo.image.name
    with photo.image.open("rb") as stored:
        image = Image.open(stored)
        assert dict(image.getexif()) == {}
        assert image.size == (64, 48)


def test_photos_are_served_to_staff_only_and_shown_side_by_side(upload, staff, client, session):
    for kind in ("before", "after"):
        upload(kind)
    before, after = SessionPhoto.objects.order_by("id")
    page = staff.get(reverse("courses:detail", args=[session.course_id])).content.decode()
    assert reverse("courses:photo", args=[before.pk]) in page
    assert reverse("courses:photo", args=[after.pk]) in page
    response = staff.get(reverse("courses:photo", args=[before.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    client.logout()
    response = client.get(reverse("courses:photo", args=[before.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "before", "image": SimpleUploadedFile("x.jpg", b"not an image")},
         "not a photo the planner can read"),
        ({"kind": "during", "image": None}, "Choose before or after"),
        ({"kind": "before"}, "Choose before or after"),
    ],
)  # fmt: skip
def test_bad_uploads_save_nothing(staff, session, data, message, settings):
    if data.get("image") is None and "image" in data:
        data["image"] = jpeg_with_location()
    response = staff.post(reverse("courses:photo_upload", args=[session.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SessionPhoto.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_an_uploaded_photo_names_the_staff_member_who_took_it(upload, practitioner):
    upload("after")
    assert SessionPhoto.objects.get().uploaded_by == practitioner.user


def test_the_file_takes_its_name_only_when_the_row_is_committed(
    staff, session, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as on_commit:
        staff.post(
            reverse("courses:photo_upload", args=[session.pk]),
            {"kind": "before", "image": jpeg_with_location()},
        )
    photo = SessionPhoto.objects.get()
    folder, name = os.path.split(photo.image.name)
    assert files_under(settings.MEDIA_ROOT) == [f"{folder}/.{name}.part"]  # beside its place
    for callback in on_commit:  # the transaction commits
        callback()
    assert files_under(settings.MEDIA_ROOT) == [photo.image.name]
    with photo.image.open("rb") as stored:
        assert Image.open(stored).size == (64, 48)


def test_a_full_disk_saves_no_row_and_leaves_no_file(staff, session, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullDiskStorage"},
    }
    response = staff.post(
        reverse("courses:photo_upload", args=[session.pk]),
        {"kind": "before", "image": jpeg_with_location((640, 480))},
    )
    assert response.status_code == 400
    assert escape(str(NOT_STORED)) in response.content.decode()
    assert not SessionPhoto.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_missing_photo_file_is_not_found_not_a_server_error(upload, staff, settings):
    upload("before")
    photo = SessionPhoto.objects.get()
    os.remove(Path(settings.MEDIA_ROOT) / photo.image.name)
    assert staff.get(reverse("courses:photo", args=[photo.pk])).status_code == 404


@pytest.mark.parametrize(
    "delete",
    [
        pytest.param(lambda photo: photo.delete(), id="the photo"),
        pytest.param(lambda photo: Session.objects.filter(pk=photo.session_id).delete(),
                     id="its session"),
        pytest.param(lambda photo: Course.objects.filter(pk=photo.session.course_id).delete(),
                     id="its course"),
    ],
)  # fmt: skip
def test_a_deleted_photo_loses_its_file_once_the_delete_commits(
    upload, settings, django_capture_on_commit_callbacks, delete
):
    upload("before")
    upload("after")
    photo = SessionPhoto.objects.order_by("id").first()
    with django_capture_on_commit_callbacks() as on_commit:
        delete(photo)
    assert (Path(settings.MEDIA_ROOT) / photo.image.name).exists()  # not before the commit
    for callback in on_commit:
        callback()
    left = [p.image.name for p in SessionPhoto.objects.all()]
    assert files_under(settings.MEDIA_ROOT) == sorted(left)
    assert photo.image.name not in left


@transaction.atomic
def delete_then_fail(photo):
    Course.objects.filter(pk=photo.session.course_id).delete()
    raise RuntimeError("the write after the delete failed")


def test_a_rolled_back_delete_keeps_the_file(upload, settings, django_capture_on_commit_callbacks):
    upload("before")
    photo = SessionPhoto.objects.get()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        delete_then_fail(photo)
    assert SessionPhoto.objects.filter(pk=photo.pk).exists()
    assert files_under(settings.MEDIA_ROOT) == [photo.image.name]


def age_staged_files(root, seconds=3601):
    """Make every staged file look ``seconds`` old to the sweep (whose clock is frozen here)."""
    staged = list(Path(root).rglob("*.part"))
    then = time.time() - seconds
    for path in staged:
        os.utime(path, (then, then))
    return staged


def test_a_staged_file_no_commit_moved_is_swept_after_an_hour(session, practitioner, settings):
    with transaction.atomic():  # the upload's transaction rolls back: no row, no rename
        add_photo(
            session=session, kind="before", upload=jpeg_with_location(), actor=practitioner.user
        )
        transaction.set_rollback(True)
    assert not SessionPhoto.objects.exists()
    (staged,) = Path(settings.MEDIA_ROOT).rglob("*.part")
    assert remove_stale_photo_uploads_task() == 0  # a fresh one may still be committed
    assert staged.exists()
    age_staged_files(settings.MEDIA_ROOT)
    assert remove_stale_photo_uploads_task() == 1
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_staged_file_whose_row_committed_is_moved_into_place_not_swept(
    staff, session, practitioner, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # committed; the process died before the rename
        staff.post(
            reverse("courses:photo_upload", args=[session.pk]),
            {"kind": "before", "image": jpeg_with_location()},
        )
    photo = SessionPhoto.objects.get()
    assert staff.get(reverse("courses:photo", args=[photo.pk])).status_code == 404
    with transaction.atomic():  # and an orphan beside it, from an upload rolled back
        add_photo(
            session=session, kind="after", upload=jpeg_with_location(), actor=practitioner.user
        )
        transaction.set_rollback(True)
    assert len(age_staged_files(settings.MEDIA_ROOT)) == 2
    assert remove_stale_photo_uploads_task() == 1  # only the orphan is deleted
    assert files_under(settings.MEDIA_ROOT) == [photo.image.name]
    response = staff.get(reverse("courses:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert Image.open(BytesIO(b"".join(response.streaming_content))).size == (64, 48)


@pytest.mark.parametrize("case", ["tomorrow", "cancelled"])
def test_no_photo_for_a_session_of_another_day_or_one_that_did_not_happen(
    case, upload, session, staff, time_machine, practitioner
):
    if case == "tomorrow":
        time_machine.move_to(session.arrives_at - timedelta(days=1), tick=False)
    else:
        rescheduling.cancel_session(session=session, reason="ill", actor=practitioner.user)
    page = staff.get(reverse("courses:session_day", args=[session.pk])).content.decode()
    assert 'data-testid="photo-refusal"' in page
    assert "Upload photo" not in page
    response = upload()
    assert response.status_code == 400
    assert not SessionPhoto.objects.exists()


def test_a_rename_failing_after_the_commit_keeps_the_upload_and_the_sweep_finishes_it(
    upload, session, staff, settings, monkeypatch
):
    def refuse(source, target):
        raise OSError(errno.EIO, "I/O error")

    with monkeypatch.context() as patched:
        patched.setattr(photo_files.os, "replace", refuse)
        response = upload()
    assert response.status_code == 302  # the row is saved: not the upload's failure
    photo = SessionPhoto.objects.get()
    assert len(age_staged_files(settings.MEDIA_ROOT)) == 1
    remove_stale_photo_uploads_task()
    assert files_under(settings.MEDIA_ROOT) == [photo.image.name]
