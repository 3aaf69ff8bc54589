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
import statistics
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
from courses.models import Course, Indication, TreatmentArea  # noqa: E402
from patients.models import Patient  # noqa: E402
from reminders.models import OutboxMessage  # noqa: E402

BLOCK = 2  # courses per pass: small, so each course's two bookings are moments apart


def set_triggers(*, on: bool) -> None:
    """Enable or disable the audit triggers of every tracked table."""
    verb = "ENABLE" if on else "DISABLE"
    with connection.cursor() as cursor:
        for event_model in change_models().values():
            table = event_model.pgh_tracked_model._meta.db_table
            cursor.execute(f'ALTER TABLE "{table}" {verb} TRIGGER USER')


def book(patient: Patient, practitioner: Practitioner, actor: User, draw: dict) -> float:
    """Plan and book one course; its milliseconds."""
    started = clock.perf_counter()
    course = services.create_draft_course(
        patient=patient, indication=Indication.objects.get(code="wrinkles"),
        area=TreatmentArea.objects.get(code="face"), needle_mm=Decimal("1.0"),
        sessions_planned=6, target_gap_weeks=4, practitioner=practitioner, actor=actor, **draw,
    )  # fmt: skip
    services.confirm_course(course=course, actor=actor)
    return (clock.perf_counter() - started) * 1000


def forget(patient_ids: list[int], *, patients: bool = False) -> None:
    """Delete these patients' courses (and the patients): the calendar as it was."""
    OutboxMessage.objects.filter(patient_id__in=patient_ids).delete()
    Course.objects.filter(patient_id__in=patient_ids).delete()
    if patients:
        Patient.objects.filter(pk__in=patient_ids).delete()


def _book_as(on: bool, block: list[tuple[Patient, Practitioner, dict]], actor: User) -> list:
    """Book every course of ``block`` with the trail on or off, then delete them again."""
    set_triggers(on=on)
    timings = []
    for n, (patient, practitioner, draw) in enumerate(block):
        try:
            if on:
                request = {"method": "POST", "path": f"/courses/{n}/confirm/"}
                with audit_context(user=actor.pk, actor="staff", request_id=f"{n:032x}",
                                   **request):  # fmt: skip
                    timings.append(book(patient, practitioner, actor, draw))
            else:
                timings.append(book(patient, practitioner, actor, draw))
        except services.PlanningFailed:  # no slot: the same in both passes, not timed
            timings.append(None)
    forget([patient.pk for patient, _, _ in block])
    return timings


def measure(plans: int) -> None:
    """Each block of two courses is booked twice on the same calendar (deleted after each
    pass): once with the trail on, once off, in turn first; so each course is paired."""
    if connection.vendor != "postgresql":
        raise SystemExit("the audit benchmark needs PostgreSQL")
    rng = random.Random(13)
    patients = _cleared_patients(plans)
    staff = list(Practitioner.objects.select_related("user").order_by("pk"))
    actor = staff[0].user
    timings: dict[bool, list[float]] = {True: [], False: []}
    try:
        for start in range(0, plans, BLOCK):
            block = [
                (patient, staff[(start + n) % len(staff)], {
                    "preferred_weekday": rng.randrange(6),
                    "preferred_time": time(rng.randrange(9, 18)),
                    "start_on": timezone.localdate() + timedelta(days=rng.randrange(1, 60)),
                })
                for n, patient in enumerate(patients[start : start + BLOCK])
            ]  # fmt: skip
            first = (start // BLOCK) % 2 == 0
            results = {first: _book_as(first, block, actor)}
            results[not first] = _book_as(not first, block, actor)
            for on_ms, off_ms in zip(results[True], results[False], strict=True):
                if on_ms is not None and off_ms is not None:
                    timings[True].append(on_ms)
                    timings[False].append(off_ms)
    finally:
        set_triggers(on=True)
        forget([patient.pk for patient in patients], patients=True)
    with_trail, without = median_and_p95(timings[True]), median_and_p95(timings[False])
    ratios = [on / off for on, off in zip(timings[True], timings[False], strict=True)]
    print(json.dumps({
        "plans": len(timings[True]), "on": with_trail, "off": without,
        # each course against itself: steadier than the two medians on a busy machine
        "overhead_paired_median_pct": round(100 * (statistics.median(ratios) - 1), 1),
        "overhead_median_pct": round(100 * (with_trail["median_ms"] / without["median_ms"] - 1), 1),
        "overhead_p95_pct": round(100 * (with_trail["p95_ms"] / without["p95_ms"] - 1), 1),
    }))  # fmt: skip


if __name__ == "__main__":
    measure(int(sys.argv[2]))
