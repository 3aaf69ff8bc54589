from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from courses import services
from courses.models import SessionPhoto

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
def session(draft, practitioner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    course = draft(needle_mm=Decimal("0.5"), sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course.sessions.get(number=1)


@pytest.fixture
def staff(client, practitioner):
    client.force_login(practitioner.user)
    return client


def test_upload_strips_location_and_camera_data(staff, session):
    assert Image.open(jpeg_with_location()).getexif().get(GPS_IFD) is not None
    response = staff.post(
        reverse("courses:photo_upload", args=[session.pk]),
        {"kind": "before", "image": jpeg_with_location()},
    )
    assert response.status_code == 302
    photo = SessionPhoto.objects.get()
    assert "IMG_0001" not in photo.image.name
    with photo.image.open("rb") as stored:
        image = Image.open(stored)
        assert dict(image.getexif()) == {}
        assert image.size == (64, 48)


def test_photos_are_served_to_staff_only_and_shown_side_by_side(staff, client, session):
    for kind in ("before", "after"):
        staff.post(
            reverse("courses:photo_upload", args=[session.pk]),
            {"kind": kind, "image": jpeg_with_location()},
        )
    before, after = SessionPhoto.objects.order_by("id")
    page = staff.get(reverse("courses:detail", args=[session.course_id])).content.decode()
    assert reverse("courses:photo", args=[before.pk]) in page
    assert reverse("courses:photo", args=[after.pk]) in page
    response = staff.get(reverse("courses:photo", args=[before.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
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
def test_bad_uploads_save_nothing(staff, session, data, message):
    if data.get("image") is None and "image" in data:
        data["image"] = jpeg_with_location()
    response = staff.post(reverse("courses:photo_upload", args=[session.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SessionPhoto.objects.exists()


def test_an_uploaded_photo_names_the_staff_member_who_took_it(staff, session, practitioner):
    staff.post(
        reverse("courses:photo_upload", args=[session.pk]),
        {"kind": "after", "image": jpeg_with_location()},
    )
    assert SessionPhoto.objects.get().uploaded_by == practitioner.user
