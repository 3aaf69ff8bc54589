"""PostgreSQL-only guarantees: the booking race and the exclusion constraints."""

import os
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from courses import services
from courses.models import Course, CourseStatus, Session, SessionStatus
from tests.factories import cleared_patient, staff_actor

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]


def run_together(*calls):
    """Start every call at the same moment in its own thread; collect outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_simultaneous_confirmations_never_double_book(draft, practitioner, rooms):
    rooms[1].is_active = False  # one room: both courses want the same room and time
    rooms[1].save()
    first = draft()
    second = draft(patient=cleared_patient(practitioner.user))
    previews = {
        c.pk: [p.slot.arrives_at for p in services.propose_course(c)] for c in (first, second)
    }
    assert previews[first.pk] == previews[second.pk]

    outcomes = run_together(*[
        lambda c=c: services.confirm_course(
            course=c, actor=practitioner.user, expected_arrivals=previews[c.pk]
        )
        for c in (first, second)
    ])  # fmt: skip

    booked = [o for o in outcomes if isinstance(o, list)]
    refused = [o for o in outcomes if isinstance(o, services.PlanChanged)]
    assert (len(booked), len(refused)) == (1, 1), outcomes
    assert Course.objects.filter(status=CourseStatus.PLANNED).count() == 1
    assert Session.objects.count() == 6
    assert refused[0].proposals[0].slot.arrives_at != previews[first.pk][0]


def test_exclusion_constraint_refuses_overlap_even_without_the_service(draft, practitioner):
    course = draft()
    [session, *_] = services.confirm_course(course=course, actor=practitioner.user)
    clone = Session(
        course=course, number=99, practitioner=session.practitioner, room=session.room,
        patient=session.patient, arrives_at=session.arrives_at,
        procedure_starts_at=session.procedure_starts_at,
        procedure_ends_at=session.procedure_ends_at,
    )  # fmt: skip
    with (
        pytest.raises(IntegrityError, match="session_practitioner_no_overlap"),
        transaction.atomic(),
    ):
        clone.save()
    clone.status = SessionStatus.CANCELLED  # freed time does not count
    clone.save()
    assert connection.vendor == "postgresql"


def test_two_tabs_submitting_at_once_cannot_corrupt_a_session(draft, practitioner, time_machine):
    from decimal import Decimal

    from courses import session_day
    from patients import services as patient_services
    from patients.screening import Answers

    course = draft(needle_mm=Decimal("0.5"), sessions_planned=4)
    # 0.5 mm: cream optional, so both steps are valid after check-in and only the version decides
    services.confirm_course(course=course, actor=practitioner.user)
    time_machine.move_to("2026-01-06 09:50Z", tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    session = course.sessions.get(number=1)
    seen = session_day.check_in(session=session, actor=practitioner.user).version

    outcomes = run_together(
        lambda: session_day.put_cream_on(session=session, version=seen, actor=staff_actor()),
        lambda: session_day.record_antiseptic_before(
            session=session, version=seen, actor=staff_actor()
        ),
    )
    stale = [o for o in outcomes if isinstance(o, session_day.SessionDayError)]
    assert len(stale) == 1, outcomes
    assert stale[0].code == "stale"
    session.procedure.refresh_from_db()
    assert session.procedure.version == seen + 1


def test_exclusion_constraint_refuses_overlapping_visits_of_one_patient(draft, practitioner):
    from clinic.models import Room
    from tests.factories import PractitionerFactory

    course = draft()
    [session, *_] = services.confirm_course(course=course, actor=practitioner.user)
    length = session.procedure_ends_at - session.arrives_at
    elsewhere = Session(  # another practitioner and room, arriving before the first visit ends
        course=course, number=99, practitioner=PractitionerFactory(),
        room=Room.objects.create(name="Annex"), patient=session.patient,
        arrives_at=session.procedure_ends_at - length / 2,
        procedure_starts_at=session.procedure_ends_at,
        procedure_ends_at=session.procedure_ends_at + length,
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="session_patient_no_overlap"), transaction.atomic():
        elsewhere.save()
