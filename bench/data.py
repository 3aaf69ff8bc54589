"""Build a large clinic for benchmarks: 20 practitioners, 10 rooms, 200,000 sessions.

Sessions fill about 80% of every room's half-hour slots, 08:00-20:00 Monday to
Saturday, from about two years ago to one year ahead, so planning has to search.
The past is settled: sessions done (a few no-shows) and their courses completed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from clinic.models import Absence, Closure, OpeningHours, Practitioner, Room, WorkingHours
from clinic.permissions import PRACTITIONER, role_group
from courses.defaults import seed_catalogue
from courses.models import Course, CourseStatus, Indication, Session, SessionStatus, TreatmentArea
from courses.overview import refresh_course_summaries
from patients.models import Patient

PRACTITIONERS = 20
ROOMS = 10
SLOTS_PER_DAY = 24  # half hours from 08:00 to 20:00
OCCUPANCY = 0.8
SESSIONS_PER_COURSE = 5
BATCH = 5_000
HALF_HOUR = timedelta(minutes=30)


def build(*, sessions: int, patients: int, seed: int = 7) -> None:
    """Fill an empty, migrated database."""
    rng = random.Random(seed)
    seed_catalogue(apps)
    staff = _staff()
    rooms = Room.objects.bulk_create(Room(name=f"Room {i + 1}") for i in range(ROOMS))
    OpeningHours.objects.bulk_create(
        OpeningHours(weekday=d, opens=time(8), closes=time(20)) for d in range(6)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=p, weekday=d, starts=time(8), ends=time(20))
        for p in staff
        for d in range(6)
    )
    _closures_and_absences(staff, rng)
    people = Patient.objects.bulk_create(
        (Patient(first_name=f"Bench{i}", last_name=f"Patient{i}", date_of_birth=date(1980, 1, 1),
                 email=f"bench{i}@example.com", time_zone=settings.TIME_ZONE)
         for i in range(patients)), batch_size=BATCH,
    )  # fmt: skip
    _sessions(sessions, staff, rooms, people, rng)
    _settle_the_past()
    _summarise_courses()


def _settle_the_past() -> None:
    """Courses whose sessions are all past completed, those under way in progress.

    (Past sessions are written done in the first place: updating 130,000 rows
    afterwards would leave a bloated table and indexes that slow every read.)"""
    now = timezone.now()
    Course.objects.exclude(sessions__arrives_at__gte=now).update(status=CourseStatus.COMPLETED)
    Course.objects.filter(status=CourseStatus.PLANNED, sessions__arrives_at__lt=now).update(
        status=CourseStatus.IN_PROGRESS
    )


def _summarise_courses() -> None:
    """The courses overview's summary, as the booking services keep it (bulk-created
    sessions bypass them); PostgreSQL then reclaims the rows the update left behind."""
    refresh_course_summaries(Course.objects.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE courses_course")


def _staff() -> list[Practitioner]:
    users = User.objects.bulk_create(
        User(username=f"bench{i}", first_name="Bench", last_name=f"Practitioner {i}", is_staff=True)
        for i in range(PRACTITIONERS)
    )
    role_group(PRACTITIONER).user_set.add(*users)  # the role that plans and books (#16)
    return Practitioner.objects.bulk_create(Practitioner(user=u) for u in users)


def _closures_and_absences(staff: list[Practitioner], rng: random.Random) -> None:
    today = timezone.localdate()
    holidays = [today + timedelta(days=d) for d in (25, 80, 150, 300)]
    Closure.objects.bulk_create(Closure(starts_on=d, ends_on=d, reason="Holiday") for d in holidays)
    absences = []
    for practitioner in staff:
        start = timezone.now() + timedelta(days=rng.randint(0, 200))
        absences.append(
            Absence(practitioner=practitioner, starts_at=start, ends_at=start + timedelta(days=7))
        )
    Absence.objects.bulk_create(absences)


def _sessions(total: int, staff: list, rooms: list, people: list, rng: random.Random) -> None:
    """Sessions in grid slots; courses are containers here (their patient is not the sessions')."""
    tz = ZoneInfo(settings.TIME_ZONE)
    per_day = ROOMS * SLOTS_PER_DAY * OCCUPANCY
    days = int(total / per_day / 6 * 7) + 2
    day = timezone.localdate() - timedelta(days=int(days * 2 / 3))
    area = TreatmentArea.objects.get(code="face")
    indication = Indication.objects.get(code="wrinkles")
    courses = Course.objects.bulk_create(
        (Course(patient=people[i % len(people)], indication=indication, area=area,
                needle_mm=Decimal("0.5"), sessions_planned=SESSIONS_PER_COURSE, target_gap_weeks=3,
                practitioner=staff[i % PRACTITIONERS], preferred_time=time(10), start_on=day,
                status=CourseStatus.PLANNED, created_by=staff[0].user)
         for i in range(total // SESSIONS_PER_COURSE + 1)), batch_size=BATCH,
    )  # fmt: skip
    made, batch, now = 0, [], timezone.now()
    while made < total:
        day += timedelta(days=1)
        if day.weekday() == 6:
            continue
        for slot in range(SLOTS_PER_DAY):
            starts = datetime.combine(day, time(8), tzinfo=tz) + timedelta(minutes=30 * slot)
            for r, room in enumerate(rooms):
                if made >= total or rng.random() > OCCUPANCY:
                    continue
                batch.append(
                    Session(
                        course=courses[made // SESSIONS_PER_COURSE],
                        number=made % SESSIONS_PER_COURSE + 1,
                        practitioner=staff[(2 * r + day.toordinal()) % PRACTITIONERS], room=room,
                        patient=people[made % len(people)], arrives_at=starts,
                        procedure_starts_at=starts, procedure_ends_at=starts + HALF_HOUR,
                        status=_outcome(starts, made, now),
                    )
                )  # fmt: skip
                made += 1
                if len(batch) >= BATCH:
                    _flush(batch)
    _flush(batch)


def _outcome(starts: datetime, made: int, now: datetime) -> str:
    """The past as a clinic has it: sessions done, one in 33 a no-show."""
    if starts >= now:
        return SessionStatus.SCHEDULED
    return SessionStatus.NO_SHOW if made % 33 == 0 else SessionStatus.COMPLETED


def _flush(batch: list[Session]) -> None:
    with transaction.atomic():
        Session.objects.bulk_create(batch)
    batch.clear()
