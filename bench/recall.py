"""The recall list of a lot used in 5,000 sessions, on the big clinic (issue #19).

``measure N`` records a lot on N done sessions of the clinic ``bench.planning``
generated (and five other lots on 6,000 more, so the lot is not the whole table),
then requests the lot's recall page (random pages of 50), its CSV (every row) and
the lot list as a logged-in manager, through Django's full request handling:
median and p95 milliseconds and queries. The procedures are written in bulk,
each pointing at one clear screening of its patient.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time as clock
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

import clinic.wsgi  # noqa: E402, F401 - start up as the web server does
from bench import median_and_p95  # noqa: E402
from clinic.models import Clinic, Lot, Product  # noqa: E402
from clinic.permissions import MANAGER, role_group  # noqa: E402
from courses.models import Procedure, Session, SessionStatus  # noqa: E402
from patients.models import Screening, ScreeningResult  # noqa: E402

OTHER_LOTS, OTHER_SESSIONS = 5, 6_000
WARM_UP = 3


def _record_lots(count: int, rng: random.Random) -> Lot:
    """The measured lot on ``count`` done sessions, other lots on others; the measured lot."""
    measured = Lot.objects.filter(number="BENCH-0").first()
    if measured is not None:  # recorded by an earlier run on this database
        return measured
    user = User.objects.filter(practitioner__isnull=False).order_by("pk").first()
    product = Product.objects.create(name="Bench serum", texture="serum")
    today = timezone.localdate()
    lots = [
        Lot.objects.create(product=product, number=f"BENCH-{i}", supplier="Bench Ltd",
                           received_on=today - timedelta(days=900), expires_on=today)
        for i in range(OTHER_LOTS + 1)
    ]  # fmt: skip
    done = list(
        Session.objects.filter(status=SessionStatus.COMPLETED, procedure__isnull=True).values_list(
            "pk", "patient_id", "arrives_at"
        )
    )
    chosen = rng.sample(done, count + OTHER_SESSIONS)
    patients = sorted({patient for _, patient, _ in chosen})
    screenings = Screening.objects.bulk_create(
        Screening(patient_id=p, taken_by=user, result=ScreeningResult.CLEAR) for p in patients
    )
    by_patient = {s.patient_id: s.pk for s in screenings}
    Procedure.objects.bulk_create(
        (Procedure(session_id=pk, checked_in_at=at, checked_in_by=user, product=product,
                   lot=lots[0] if i < count else lots[1 + i % OTHER_LOTS],
                   screening_id=by_patient[patient])
         for i, (pk, patient, at) in enumerate(chosen)),
        batch_size=5_000,
    )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE courses_procedure")  # as autovacuum would after the load
    return lots[0]


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


def _timed(client: Client, url: str, runs: int, pages: int, rng: random.Random) -> dict:
    timings, queries = [], []
    for i in range(WARM_UP + runs):
        page = {"page": rng.randint(1, pages)} if pages > 1 else {}
        started = clock.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, page, secure=True)
            if response.streaming:
                b"".join(response.streaming_content)
        elapsed = (clock.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if i >= WARM_UP:
            timings.append(elapsed)
            queries.append(len(captured))
    return {**median_and_p95(timings), "queries": f"{min(queries)}-{max(queries)}"}


def measure(count: int, runs: int) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment would
    Clinic.objects.get_or_create(pk=1, defaults={"name": "Benchmark clinic"})
    rng = random.Random(19)
    lot = _record_lots(count, rng)
    client = _manager_client()
    detail = reverse("lot_detail", args=[lot.pk])
    print(json.dumps({
        "sessions_with_lot": Procedure.objects.filter(lot=lot).count(),
        "sessions": Session.objects.count(),
        "page": _timed(client, detail, runs, -(-count // 50), rng),
        "csv": _timed(client, reverse("lot_csv", args=[lot.pk]), max(runs // 10, 5), 1, rng),
        "lots": _timed(client, reverse("lots"), runs, 1, rng),
    }))  # fmt: skip


if __name__ == "__main__":
    measure(int(sys.argv[2]), int(sys.argv[3]))
