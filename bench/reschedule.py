"""The patient's self-reschedule slot search on the big clinic (issue #17).

``measure N`` uses the six-session courses ``bench.planning`` booked (booking N
of its own when there are none) and times ``courses.patient_moves.patient_offers``
for one open session of each, beyond the cut-off: median and p95 milliseconds,
queries and offers per search. Run after ``bench.planning generate``.
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

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import median_and_p95  # noqa: E402
from bench.planning import _cleared_patients  # noqa: E402
from clinic.models import Clinic, Practitioner  # noqa: E402
from courses import patient_moves, services  # noqa: E402
from courses.models import Course, CourseStatus, Indication, Session, TreatmentArea  # noqa: E402


def _courses(count: int) -> list[Course]:
    """Courses with every gap inside the rules, as the planner books them."""
    booked = list(
        Course.objects.filter(patient__first_name="Planned", status=CourseStatus.PLANNED)[:count]
    )
    if booked:
        return booked
    rng = random.Random(17)
    staff = list(Practitioner.objects.select_related("user").order_by("pk"))
    area = TreatmentArea.objects.get(code="face")
    indication = Indication.objects.get(code="wrinkles")
    for i, patient in enumerate(_cleared_patients(count)):
        course = services.create_draft_course(
            patient=patient, indication=indication, area=area, needle_mm=Decimal("1.0"),
            sessions_planned=6, target_gap_weeks=4, practitioner=staff[i % len(staff)],
            preferred_weekday=rng.randrange(6), preferred_time=time(rng.randrange(9, 18)),
            start_on=timezone.localdate() + timedelta(days=rng.randrange(3, 60)),
            actor=staff[0].user,
        )  # fmt: skip
        services.confirm_course(course=course, actor=staff[0].user)
        booked.append(course)
    return booked


def measure(count: int) -> None:
    Clinic.objects.get_or_create(pk=1, defaults={"name": "Benchmark clinic"})
    rng = random.Random(5)
    cutoff = timezone.now() + timedelta(hours=Clinic.current().self_service_cutoff_hours)
    timings, queries, offers = [], [], []
    for course in _courses(count):
        movable = list(
            Session.objects.select_related("course__area")
            .filter(course=course, arrives_at__gte=cutoff, status="scheduled")
            .order_by("arrives_at")
        )
        if not movable:
            continue
        session = rng.choice(movable)
        started = clock.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            found = patient_moves.patient_offers(session)
        timings.append((clock.perf_counter() - started) * 1000)
        queries.append(len(captured))
        offers.append(len(found))
    print(json.dumps({
        "searches": len(timings),
        **median_and_p95(timings),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "offers_mean": round(sum(offers) / len(offers), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "existing_sessions": Session.objects.count(),
    }))  # fmt: skip


if __name__ == "__main__":
    measure(int(sys.argv[2]))
