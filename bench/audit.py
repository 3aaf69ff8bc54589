"""The audit trail's cost: booking a course with the trail on and off, in one run.

PostgreSQL only (the trail is written there by triggers). On the database that
bench.planning filled, plans and books courses alternately with the triggers on
(inside an audit context, as a request sets it) and off (the tracked tables'
triggers disabled, no context): the two halves see the same, growing calendar.
Prints one JSON line: median and p95 per course for each half, and the overhead.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time as clock
from datetime import time, timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from audit.context import audit_context  # noqa: E402
from audit.trail import change_models  # noqa: E402
from bench import median_and_p95  # noqa: E402
from bench.planning import _cleared_patients  # noqa: E402
from clinic.models import Practitioner  # noqa: E402
from courses import services  # noqa: E402
from courses.models import Indication, TreatmentArea  # noqa: E402
from patients.models import Patient  # noqa: E402


def set_triggers(*, on: bool) -> None:
    """Enable or disable the audit triggers of every tracked table."""
    verb = "ENABLE" if on else "DISABLE"
    with connection.cursor() as cursor:
        for event_model in change_models().values():
            table = event_model.pgh_tracked_model._meta.db_table
            cursor.execute(f'ALTER TABLE "{table}" {verb} TRIGGER USER')


def book(patient: Patient, practitioner: Practitioner, actor: User, rng: random.Random) -> None:
    course = services.create_draft_course(
        patient=patient, indication=Indication.objects.get(code="wrinkles"),
        area=TreatmentArea.objects.get(code="face"), needle_mm=Decimal("1.0"),
        sessions_planned=6, target_gap_weeks=4, practitioner=practitioner,
        preferred_weekday=rng.randrange(6), preferred_time=time(rng.randrange(9, 18)),
        start_on=timezone.localdate() + timedelta(days=rng.randrange(1, 60)), actor=actor,
    )  # fmt: skip
    services.confirm_course(course=course, actor=actor)


def measure(plans: int) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("the audit benchmark needs PostgreSQL")
    rng = random.Random(13)
    patients = _cleared_patients(plans)
    staff = list(Practitioner.objects.select_related("user").order_by("pk"))
    actor = staff[0].user
    timings: dict[bool, list[float]] = {True: [], False: []}
    try:
        for i, patient in enumerate(patients):
            on = i % 2 == 0
            set_triggers(on=on)
            started = clock.perf_counter()
            if on:
                request = {"method": "POST", "path": f"/courses/{i}/confirm/"}
                with audit_context(user=actor.pk, actor="staff", request_id=f"{i:032x}", **request):
                    book(patient, staff[i % len(staff)], actor, rng)
            else:
                book(patient, staff[i % len(staff)], actor, rng)
            timings[on].append((clock.perf_counter() - started) * 1000)
    finally:
        set_triggers(on=True)
    with_trail, without = median_and_p95(timings[True]), median_and_p95(timings[False])
    print(json.dumps({
        "plans": plans, "on": with_trail, "off": without,
        "overhead_median_pct": round(100 * (with_trail["median_ms"] / without["median_ms"] - 1), 1),
        "overhead_p95_pct": round(100 * (with_trail["p95_ms"] / without["p95_ms"] - 1), 1),
    }))  # fmt: skip


if __name__ == "__main__":
    measure(int(sys.argv[2]))
