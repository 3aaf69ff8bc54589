"""PostgreSQL: twenty patients race for the same freed slot (issue #17)."""

import os
from datetime import date, time

import pytest
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Room
from courses import patient_moves, rescheduling, services
from courses.booking import CourseError
from courses.models import Session, SessionStatus
from reminders import services as reminders
from reminders.models import Kind, OutboxMessage
from tests.courses.test_postgres import run_together
from tests.factories import ClinicFactory, cleared_patient

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

THURSDAY = date(2026, 1, 29)
RACERS = 20


def test_twenty_patients_racing_for_one_freed_slot_one_wins_the_others_get_new_offers(
    draft, practitioner, rooms, now
):
    ClinicFactory()
    Room.objects.exclude(pk=rooms[0].pk).update(is_active=False)  # one room: one booking a time
    courses = []
    for _ in range(RACERS + 1):
        patient = cleared_patient(practitioner.user, email_consent_at=timezone.now())
        course = draft(patient=patient, sessions_planned=4, start_on=date(2026, 1, 6))
        services.confirm_course(course=course, actor=practitioner.user)
        courses.append(course)
    # The freed slot: someone's session there is cancelled.
    holder = Session.objects.get(course=courses[-1], number=2)
    rescheduling.reschedule_session(
        session=holder, new_day=THURSDAY, new_time=time(10), scope="this", reason="Asked",
        actor=practitioner.user, override_reason="Asked",
    )  # fmt: skip
    holder.refresh_from_db()
    rescheduling.cancel_session(session=holder, reason="Freed", actor=practitioner.user)
    wanted = holder.arrives_at
    seconds = [Session.objects.get(course=c, number=2) for c in courses[:RACERS]]
    for second in seconds:  # the freed time is open to every racer
        second = Session.objects.select_related("course").get(pk=second.pk)
        [move, *_] = patient_moves.preview_move(second, new_day=THURSDAY, new_time=time(10))
        assert move.slot.arrives_at == wanted

    def race(second):
        return reminders.move_by_patient(
            session=second, new_day=THURSDAY, new_time=time(10),
            version=second.schedule_version, actor=system_actor(SystemActor.PATIENT_LINK),
        )  # fmt: skip

    outcomes = run_together(*[lambda s=s: race(s) for s in seconds])

    won = [o for o in outcomes if isinstance(o, list)]
    lost = [o for o in outcomes if isinstance(o, CourseError)]
    assert (len(won), len(lost)) == (1, RACERS - 1), outcomes
    assert {c for e in lost for c in e.codes} <= {"slot_unavailable", "slot_taken"}
    at_wanted = Session.objects.filter(
        arrives_at=wanted, status__in=[SessionStatus.SCHEDULED, SessionStatus.CONFIRMED]
    )
    assert at_wanted.count() == 1
    assert OutboxMessage.objects.filter(kind=Kind.MOVED_BY_PATIENT).count() == 1
    winner = at_wanted.get()
    for second in seconds:
        if second.pk == winner.pk:
            continue
        second = Session.objects.select_related("course").get(pk=second.pk)
        assert second.schedule_version == 1  # nothing of theirs changed
        fresh = patient_moves.patient_offers(second)
        assert fresh
        assert wanted not in [o.slot.arrives_at for o in fresh]
