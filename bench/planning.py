"""Planning and booking benchmark, run in its own process per database.

``generate`` migrates an empty database and fills it (bench.data); ``measure``
plans and books 100 six-session courses against it and prints one JSON line:
median and p95 milliseconds per course, queries per course, peak memory.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time as clock
from datetime import time, timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import data, median_and_p95  # noqa: E402
from clinic.models import Clinic, Practitioner  # noqa: E402
from courses import services  # noqa: E402
from courses.models import Indication, Session, TreatmentArea  # noqa: E402
from patients import services as patient_services  # noqa: E402
from patients.models import InformationSheet, Patient  # noqa: E402
from patients.screening import Answers  # noqa: E402


def generate(sessions: int) -> None:
    call_command("migrate", verbosity=0)
    data.build(sessions=sessions, patients=20_000)
    with connection.cursor() as cursor:  # measure a settled database, not autovacuum's work
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(json.dumps({"sessions": Session.objects.count()}))


def _cleared_patients(count: int) -> list[Patient]:
    Clinic.objects.get_or_create(pk=1, defaults={"name": "Benchmark clinic"})
    user = Practitioner.objects.first().user
    sheet, _ = InformationSheet.objects.get_or_create(
        version="bench", defaults={"text": "Benchmark", "published_on": timezone.localdate()}
    )
    patients = []
    for i in range(count):
        patient = Patient.objects.create(
            first_name="Planned", last_name=f"Patient {i}", date_of_birth="1985-05-05",
            email=f"planned{i}@example.com",
        )  # fmt: skip
        patient_services.record_consent(patient=patient, sheet=sheet, actor=user)
        patient_services.record_screening(patient=patient, answers=Answers(), notes="", actor=user)
        patient.refresh_from_db()
        patients.append(patient)
    return patients


def measure(plans: int) -> None:
    rng = random.Random(11)
    patients = _cleared_patients(plans)
    staff = list(Practitioner.objects.select_related("user").order_by("pk"))
    area = TreatmentArea.objects.get(code="face")
    indication = Indication.objects.get(code="wrinkles")
    timings, queries = [], []
    for i, patient in enumerate(patients):
        started = clock.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            course = services.create_draft_course(
                patient=patient, indication=indication, area=area, needle_mm=Decimal("1.0"),
                sessions_planned=6, target_gap_weeks=4, practitioner=staff[i % len(staff)],
                preferred_weekday=rng.randrange(6), preferred_time=time(rng.randrange(9, 18)),
                start_on=timezone.localdate() + timedelta(days=rng.randrange(1, 60)),
                actor=staff[0].user,
            )  # fmt: skip
            services.confirm_course(course=course, actor=staff[0].user)
        timings.append((clock.perf_counter() - started) * 1000)
        queries.append(len(captured))
    print(json.dumps({
        "plans": plans,
        **median_and_p95(timings),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "existing_sessions": Session.objects.count(),
    }))  # fmt: skip


if __name__ == "__main__":
    step, number = sys.argv[1], int(sys.argv[2])
    generate(number) if step == "generate" else measure(number)
