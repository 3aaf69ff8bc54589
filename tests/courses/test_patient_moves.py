"""The patient moves a session themselves (courses.patient_moves, reminders.move_by_patient)."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses import patient_moves, rescheduling
from courses.booking import CourseError
from courses.models import ChangeKind, Session, SessionChange
from reminders import services as reminders
from reminders.models import Kind, OutboxMessage, Status
from tests.factories import ClinicFactory, PractitionerFactory, cleared_patient, seed_clinic_hours

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def sessions(draft, practitioner, now):
    """Six sessions, Tuesdays 10:00 three weeks apart from 6 January; 0.5 mm (2-6 weeks)."""
    ClinicFactory()
    patient = cleared_patient(
        practitioner.user, reminder_channel="email", email="ada@example.com",
        email_consent_at=timezone.now(),
    )  # fmt: skip
    course = draft(patient=patient)
    from courses import services

    services.confirm_course(course=course, actor=practitioner.user)
    return list(Session.objects.filter(course=course).select_related("course").order_by("number"))


def local(session):
    return session.arrives_at.astimezone(LONDON)


def move(session, day, at=time(10), **kw):
    return reminders.move_by_patient(
        session=session, new_day=day, new_time=at, version=session.schedule_version,
        actor=system_actor(SystemActor.PATIENT_LINK), **kw,
    )  # fmt: skip


def test_offers_keep_the_gaps_and_the_cutoff_on_the_grid(sessions):
    second = sessions[1]  # Tue 27 Jan; after Tue 6 Jan, before Tue 17 Feb
    offers = patient_moves.patient_offers(second)
    assert 0 < len(offers) <= 12
    assert offers[0].day == date(2026, 1, 20)  # 2 weeks after session 1: the minimum
    for offer in offers:
        assert offer.slot.arrives_at != second.arrives_at
        assert offer.slot.arrives_at.astimezone(LONDON).minute % 15 == 0
        assert offer.day.weekday() < 5  # the practitioner works Monday to Friday
        assert offer.scope == ("this" if offer.day <= date(2026, 2, 3) else "following")


def test_moving_alone_rebuilds_reminders_and_tells_the_practitioner(sessions, practitioner):
    second = sessions[1]
    old_reminders = set(
        OutboxMessage.objects.filter(session=second, kind=Kind.REMINDER_48H).values_list(
            "pk", flat=True
        )
    )
    [moved] = move(second, date(2026, 1, 29), time(14))
    assert local(moved).replace(tzinfo=None).isoformat() == "2026-01-29T14:00:00"
    assert moved.schedule_version == 2
    assert OutboxMessage.objects.get(pk__in=old_reminders).status == Status.CANCELLED
    fresh = OutboxMessage.objects.get(
        session=second, kind=Kind.REMINDER_48H, schedule_version=2, status=Status.PENDING
    )
    assert fresh.due_at < moved.arrives_at
    notice = OutboxMessage.objects.get(kind=Kind.MOVED_BY_PATIENT)
    assert notice.recipient == practitioner.user.email
    assert notice.session_id == second.pk
    change = SessionChange.objects.get(session=second, kind=ChangeKind.RESCHEDULED)
    assert change.by_patient
    assert change.reason == patient_moves.PATIENT_MOVE_REASON
    assert not OutboxMessage.objects.filter(kind=Kind.SESSIONS_CHANGED).exists()
    # The others stay where they were.
    assert [s.arrives_at for s in Session.objects.exclude(pk=second.pk).order_by("number")] == [
        s.arrives_at for s in sessions if s.pk != second.pk
    ]


def test_a_day_past_the_next_gap_moves_the_following_sessions_keeping_their_gaps(sessions):
    second = sessions[1]
    offer = next(o for o in patient_moves.patient_offers(second) if o.scope == "following")
    moved = move(second, offer.day, expected_following=[p.slot.arrives_at for p in offer.following])
    assert len(moved) == 5
    days = [local(s).date() for s in Session.objects.order_by("arrives_at")]
    assert [(b - a).days for a, b in zip(days[1:], days[2:], strict=False)] == [21, 21, 21, 21]
    assert [s.arrives_at for s in moved[1:]] == [p.slot.arrives_at for p in offer.following]


def test_a_plan_that_changed_since_the_page_showed_it_is_refused(sessions):
    second = sessions[1]
    offer = next(o for o in patient_moves.patient_offers(second) if o.scope == "following")
    with pytest.raises(CourseError) as error:
        move(second, offer.day, expected_following=[])
    assert error.value.codes == ["plan_changed"]
    assert Session.objects.get(pk=second.pk).arrives_at == second.arrives_at


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2026, 1, 19), "gap"),  # 13 days after session 1
        (date(2026, 2, 18), "gap"),  # 43 days after session 1
        (date(2026, 1, 24), "slot_unavailable"),  # a Saturday: the practitioner is off
    ],
)
def test_a_crafted_time_outside_the_rules_is_refused_and_nothing_changes(sessions, day, code):
    second = sessions[1]
    with pytest.raises(CourseError) as error:
        move(second, day)
    assert code in error.value.codes
    assert Session.objects.get(pk=second.pk).arrives_at == second.arrives_at
    assert not OutboxMessage.objects.filter(kind=Kind.MOVED_BY_PATIENT).exists()


def test_the_cutoff_refuses_the_session_and_times_too_soon(sessions, time_machine):
    first = sessions[0]  # Tue 6 Jan 10:00
    time_machine.move_to("2026-01-05 11:00Z", tick=False)
    with pytest.raises(CourseError) as error:
        patient_moves.patient_offers(first)
    assert error.value.codes == ["cutoff"]
    with pytest.raises(CourseError) as error:
        move(first, date(2026, 1, 7))
    assert error.value.codes == ["cutoff"]
    time_machine.move_to("2026-01-02 12:00Z", tick=False)
    with pytest.raises(CourseError) as error:
        move(first, date(2026, 1, 3))  # a Saturday morning, within 24 hours of now
    assert "cutoff" in error.value.codes or "slot_unavailable" in error.value.codes
    Clinic.objects.filter(pk=1).update(self_service_cutoff_hours=24 * 7)
    assert patient_moves.patient_offers(sessions[1])[0].slot.arrives_at >= timezone.now() + (
        timedelta(days=7)
    )


def test_a_stale_page_is_refused(sessions, practitioner):
    second = sessions[1]
    rescheduling.reschedule_session(
        session=second, new_day=date(2026, 1, 28), new_time=time(10), scope="this",
        reason="Clinic", actor=practitioner.user,
    )  # fmt: skip
    with pytest.raises(CourseError) as error:
        move(second, date(2026, 1, 29))  # the version the page showed: 1
    assert error.value.codes == ["stale"]


def test_a_time_taken_meanwhile_is_refused_never_double_booked(sessions, draft, practitioner):
    second = sessions[1]
    [offer, *_] = patient_moves.patient_offers(second)
    other = Session.objects.get(pk=sessions[2].pk)
    # Another patient's session takes the practitioner at the offered time.
    other.pk = None
    other.patient = cleared_patient(practitioner.user)
    other.course = draft(patient=other.patient)
    other.arrives_at = other.procedure_starts_at = offer.slot.arrives_at
    other.procedure_ends_at = offer.slot.procedure_ends_at
    other.room_id = offer.slot.room_id
    other.save()
    when = offer.slot.arrives_at.astimezone(LONDON)
    with pytest.raises(CourseError) as error:
        move(second, when.date(), when.time())
    assert error.value.codes == ["slot_unavailable"]
    assert offer.slot.arrives_at not in [o.slot.arrives_at for o in
                                         patient_moves.patient_offers(second)]  # fmt: skip


def test_another_practitioner_only_where_the_clinic_allows(sessions, practitioner):
    other = PractitionerFactory()
    seed_clinic_hours(other)
    second = sessions[1]
    with pytest.raises(CourseError) as error:
        move(second, date(2026, 1, 29), practitioner_id=other.pk)
    assert error.value.codes == ["practitioner"]
    Clinic.objects.filter(pk=1).update(self_service_any_practitioner=True)
    [moved] = move(second, date(2026, 1, 29), practitioner_id=other.pk)
    assert moved.practitioner_id == other.pk
    notices = OutboxMessage.objects.filter(kind=Kind.MOVED_BY_PATIENT)
    assert set(notices.values_list("practitioner_id", flat=True)) == {practitioner.pk, other.pk}


def test_only_the_patients_link_may_move_this_way(sessions, practitioner):
    with pytest.raises(PermissionDenied):
        reminders.move_by_patient(
            session=sessions[1], new_day=date(2026, 1, 29), new_time=time(10), version=1,
            actor=practitioner.user,
        )  # fmt: skip


def test_the_practitioners_notice_says_from_when_to_when(sessions, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    move(sessions[1], date(2026, 1, 29), time(14))
    worker = system_actor(SystemActor.REMINDERS)
    reminders.claim_due(actor=worker)
    notice = OutboxMessage.objects.get(kind=Kind.MOVED_BY_PATIENT)
    assert reminders.deliver(notice.pk, actor=worker) == Status.SENT
    [email] = [m for m in mail.outbox if m.to == [notice.recipient]]
    assert "Tuesday 27 January 2026, 10:00" in email.body
    assert "Thursday 29 January 2026, 14:00" in email.body
    assert "Moved by the patient" in email.subject


def test_each_notice_tells_its_own_move_even_when_sent_after_a_later_one(
    sessions, settings, time_machine
):
    """Two moves before the worker sends: the first notice still names the first move
    (from 27 to 29 January), not where a later move left the session."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    second = sessions[1]
    move(second, date(2026, 1, 29), time(14))
    time_machine.shift(timedelta(minutes=5))
    second.refresh_from_db()
    move(second, date(2026, 1, 30), time(11))
    worker = system_actor(SystemActor.REMINDERS)
    reminders.claim_due(actor=worker)
    first, later = OutboxMessage.objects.filter(kind=Kind.MOVED_BY_PATIENT).order_by("pk")
    assert reminders.deliver(first.pk, actor=worker) == Status.SENT
    assert reminders.deliver(later.pk, actor=worker) == Status.SENT
    bodies = [m.body for m in mail.outbox if "Moved by the patient" in m.subject]
    assert "Tuesday 27 January 2026, 10:00" in bodies[0]
    assert "Thursday 29 January 2026, 14:00" in bodies[0]
    assert "Friday 30 January" not in bodies[0]
    assert "Thursday 29 January 2026, 14:00" in bodies[1]
    assert "Friday 30 January 2026, 11:00" in bodies[1]
