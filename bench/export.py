"""The patient's export (issue #19): one patient with 6 sessions and 24 photos of about
300 KB each, exported through Django's full request handling as a manager and streamed
to the end (every chunk read), on a PostgreSQL database of its own.

``build`` migrates the empty database and writes the patient (rows straight into the
tables, photos as noise JPEGs, which compress like real skin photos do: hardly);
``measure N`` downloads the export N times and prints one JSON line: median and p95
milliseconds, the ZIP's size, and the measuring process's peak memory.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time as clock
import uuid
from datetime import time, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from PIL import Image  # noqa: E402

from bench import median_and_p95  # noqa: E402
from clinic.models import Clinic, Practitioner, Room  # noqa: E402
from clinic.permissions import MANAGER, role_group  # noqa: E402
from courses.models import (  # noqa: E402
    AftercareSheet,
    Course,
    Indication,
    Procedure,
    Session,
    SessionPhoto,
    TreatmentArea,
)
from patients.models import Patient, Screening  # noqa: E402

SESSIONS, PHOTOS_PER_SESSION = 6, 4
PHOTO_SIZE = (680, 500)  # noise at quality 90: about 300 KB


def _photo(name: str) -> None:
    pixels = Image.frombytes("RGB", PHOTO_SIZE, os.urandom(PHOTO_SIZE[0] * PHOTO_SIZE[1] * 3))
    out = BytesIO()
    pixels.save(out, format="JPEG", quality=90)
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def build() -> None:
    call_command("migrate", verbosity=0)
    Clinic.objects.get_or_create(pk=1, defaults={"name": "Benchmark clinic"})
    user = User.objects.create(username="bench-practitioner", is_staff=True)
    practitioner = Practitioner.objects.create(user=user)
    room = Room.objects.create(name="Room 1")
    patient = Patient.objects.create(first_name="Export", last_name="Patient", email="e@x.example",
                                     date_of_birth="1980-01-01", notes="Bench notes")  # fmt: skip
    screening = Screening.objects.create(patient=patient, taken_by=user, result="clear")
    start = timezone.now() - timedelta(weeks=4 * SESSIONS)
    course = Course.objects.create(
        patient=patient, indication=Indication.objects.get(code="wrinkles"),
        area=TreatmentArea.objects.get(code="face"), needle_mm=Decimal("1.0"),
        sessions_planned=SESSIONS, target_gap_weeks=4, practitioner=practitioner,
        preferred_time=time(10), start_on=start.date(), status="completed", created_by=user,
    )  # fmt: skip
    for number in range(1, SESSIONS + 1):
        at = start + timedelta(weeks=4 * (number - 1))
        session = Session.objects.create(
            course=course, number=number, practitioner=practitioner, room=room, patient=patient,
            arrives_at=at, procedure_starts_at=at + timedelta(minutes=20),
            procedure_ends_at=at + timedelta(minutes=65), status="completed",
        )  # fmt: skip
        Procedure.objects.create(session=session, checked_in_at=at, checked_in_by=user,
                                 screening=screening, notes="ok", finished_at=at)  # fmt: skip
        AftercareSheet.objects.create(session=session, text="SPF 50+. " * 200, created_at=at)
        for i in range(PHOTOS_PER_SESSION):
            name = f"session-photos/{uuid.uuid4().hex}.jpg"
            _photo(name)
            SessionPhoto.objects.create(session=session, kind="before" if i % 2 else "after",
                                        image=name, uploaded_at=at, uploaded_by=user)  # fmt: skip
    print(json.dumps({"patient": patient.pk, "photos": SessionPhoto.objects.count()}))


def _manager_client() -> Client:
    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"is_staff": True})
    role_group(MANAGER).user_set.add(manager)
    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    device, _ = TOTPDevice.objects.get_or_create(user=manager, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(runs: int) -> None:
    client = _manager_client()
    patient = Patient.objects.get(last_name="Patient")
    url = f"/privacy/patients/{patient.pk}/export/"
    timings, size = [], 0
    for _ in range(runs + 1):  # the first warms up
        started = clock.perf_counter()
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        timings.append((clock.perf_counter() - started) * 1000)
    print(json.dumps({
        "runs": runs, **median_and_p95(timings[1:]), "zip_mb": round(size / 2**20, 1),
        "photos": SessionPhoto.objects.filter(session__patient=patient).count(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    step = sys.argv[1]
    build() if step == "build" else measure(int(sys.argv[2]))
