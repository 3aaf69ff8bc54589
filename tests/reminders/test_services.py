from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses import rescheduling, services, session_day
from courses.models import AftercareSheet, Course, CourseStatus, Session, SessionStatus
from patients.models import Patient
from reminders import content, validity
from reminders import services as outbox
from reminders.links import LinkError
from reminders.models import Kind, OutboxMessage, Status
from tests.factories import staff_actor


@pytest.fixture
def booked(draft, reachable, practitioner):
    course = draft(patient=reachable, sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    return course


def rows(**filters):
    return list(OutboxMessage.objects.filter(**filters).order_by("due_at", "kind", "channel"))


def test_booking_creates_every_message_once_per_consented_channel(booked):
    assert {(m.kind, m.channel) for m in rows(course=booked, session=None)} == {
        (Kind.COURSE_BOOKED, "email"), (Kind.COURSE_BOOKED, "sms"),
    }  # fmt: skip
    first = booked.sessions.get(number=1)
    kinds = [(m.kind, m.channel) for m in rows(session=first)]
    assert sorted(kinds) == [
        ("reminder_2h", "sms"),
        ("reminder_48h", "email"),
        ("reminder_48h", "sms"),
    ]
    assert OutboxMessage.objects.count() == 2 + 4 * 3
    outbox.sync_session(first)  # again: nothing new
    assert OutboxMessage.objects.count() == 2 + 4 * 3


def test_no_consent_no_message(draft, patient, practitioner):
    course = draft(patient=patient)  # factory patient: no reminder consent recorded
    services.confirm_course(course=course, actor=practitioner.user)
    assert not OutboxMessage.objects.exists()


def test_reschedule_rebuilds_reminders_for_the_new_time(booked, practitioner):
    second = booked.sessions.get(number=2)
    old = rows(session=second)
    rescheduling.reschedule_session(
        session=second, new_day=timezone.localtime(second.arrives_at).date() + timedelta(days=1),
        new_time=time(14), scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    second.refresh_from_db()
    assert {m.status for m in rows(pk__in=[m.pk for m in old])} == {Status.CANCELLED}
    new = rows(session=second, status=Status.PENDING)
    assert {m.schedule_version for m in new} == {2}
    reminder = next(m for m in new if m.kind == Kind.REMINDER_48H)
    assert reminder.due_at == second.arrives_at - timedelta(hours=48)


def test_cancelled_session_cancels_its_reminders(booked, practitioner):
    third = booked.sessions.get(number=3)
    rescheduling.cancel_session(session=third, reason="Patient unwell", actor=practitioner.user)
    assert {m.status for m in rows(session=third)} == {Status.CANCELLED}


def claim_all(at):
    return outbox.claim_due(now=at, actor=system_actor(SystemActor.REMINDERS))


def test_claims_are_exclusive(booked):
    later = timezone.now() + timedelta(days=400)
    first, second = claim_all(later), claim_all(later)
    assert len(first) == OutboxMessage.objects.count()
    assert second == []


def test_sent_once_with_message_id_and_unsubscribe(booked, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [pk] = [m.pk for m in rows(kind=Kind.COURSE_BOOKED, channel="email")]
    assert pk in claim_all(timezone.now())
    assert outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS)) == Status.SENT
    assert (
        outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS)) == "skipped"
    )  # the task delivered twice sends nothing
    [email] = mail.outbox
    assert email.extra_headers["Message-ID"] == f"<outbox-{pk}@127.0.0.1>"
    assert email.extra_headers["List-Unsubscribe"].startswith(
        "<http://127.0.0.1:8000/p/unsubscribe/"
    )
    assert email.attachments[0][0] == "course.ics"
    assert email.attachments[0][1].count("BEGIN:VEVENT") == 4
    assert "(Europe/London)" in email.body


def test_moved_session_message_is_cancelled_at_send_time(booked, practitioner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = booked.sessions.get(number=1)
    reminder = rows(session=first, kind=Kind.REMINDER_48H, channel="email")[0]
    OutboxMessage.objects.filter(pk=reminder.pk).update(status=Status.QUEUED)
    first.schedule_version += 1
    first.save()
    assert (
        outbox.deliver(reminder.pk, actor=system_actor(SystemActor.REMINDERS)) == Status.CANCELLED
    )
    assert mail.outbox == []


def test_message_for_a_started_session_expires(booked, time_machine, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = booked.sessions.get(number=1)
    reminder = rows(session=first, kind=Kind.REMINDER_48H, channel="email")[0]
    OutboxMessage.objects.filter(pk=reminder.pk).update(status=Status.QUEUED)
    time_machine.move_to(first.arrives_at + timedelta(minutes=1), tick=False)
    assert outbox.deliver(reminder.pk, actor=system_actor(SystemActor.REMINDERS)) == Status.EXPIRED
    assert mail.outbox == []


def test_withdrawn_consent_stops_pending_messages(booked, reachable, settings):
    outbox.withdraw_consent(
        patient=reachable, channel="sms", actor=system_actor(SystemActor.PATIENT_LINK)
    )
    assert {m.status for m in rows(channel="sms")} == {Status.CANCELLED}
    assert {m.status for m in rows(channel="email")} == {Status.PENDING}


def test_stuck_sending_message_is_reclaimed_after_the_lease(booked):
    [pk] = [m.pk for m in rows(kind=Kind.COURSE_BOOKED, channel="email")]
    claimed_at = timezone.now()
    claim_all(claimed_at)
    # A worker on another host started it (this host cannot tell whether it lives).
    OutboxMessage.objects.filter(pk=pk).update(
        status=Status.SENDING, started_at=claimed_at, started_by="elsewhere/boot/123/456"
    )
    assert pk not in claim_all(claimed_at + timedelta(minutes=9))
    assert pk in claim_all(claimed_at + timedelta(minutes=11))
    assert OutboxMessage.objects.get(pk=pk).attempts == 2


def test_sms_goes_to_the_development_file(booked, settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    [pk] = [m.pk for m in rows(kind=Kind.COURSE_BOOKED, channel="sms")]
    claim_all(timezone.now())
    assert outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS)) == Status.SENT
    text = settings.SMS_FILE_PATH.read_text()
    assert "to +447400123456" in text
    assert "course of 4 sessions is booked" in text


def test_failed_message_can_be_retried(booked):
    message = rows(kind=Kind.COURSE_BOOKED, channel="email")[0]
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=5)
    assert outbox.retry_failed(message=message, actor=staff_actor())
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    assert not outbox.retry_failed(message=message, actor=staff_actor())


def test_daily_agenda_once_per_practitioner_per_day(booked, practitioner, time_machine):
    first = booked.sessions.get(number=1)
    time_machine.move_to(first.arrives_at.replace(hour=6), tick=False)
    assert outbox.queue_daily_agendas(actor=system_actor(SystemActor.REMINDERS)) == 1
    assert outbox.queue_daily_agendas(actor=system_actor(SystemActor.REMINDERS)) == 0
    agenda = OutboxMessage.objects.get(kind=Kind.DAILY_AGENDA)
    assert agenda.recipient == practitioner.user.email
    assert timezone.localtime(agenda.due_at).time() == time(9)  # opening time


def test_claims_stop_at_the_in_flight_cap(booked, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_IN_FLIGHT", 3)
    later = timezone.now() + timedelta(days=400)
    assert len(claim_all(later)) == 3
    assert claim_all(later) == []  # the workers are behind: the backlog waits in the table
    OutboxMessage.objects.filter(status=Status.QUEUED).update(status=Status.SENT)
    assert len(claim_all(later)) == 3


def sending(kind, **fields):
    """A message of ``kind`` claimed for sending now (as the dispatcher leaves it)."""
    defaults = {"channel": "email", "recipient": "staff@clinic.example", "due_at": timezone.now()}
    return OutboxMessage.objects.create(
        kind=kind, dedupe_key=f"test:{kind}", status=Status.QUEUED, **{**defaults, **fields}
    )


def test_course_booked_message_of_a_course_cancelled_before_it_went_is_not_sent(
    booked, practitioner, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rescheduling.cancel_course(course=booked, reason="Moving away", actor=practitioner.user)
    [pk] = [m.pk for m in rows(kind=Kind.COURSE_BOOKED, channel="email")]
    claim_all(timezone.now())
    assert outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS)) == Status.CANCELLED
    assert mail.outbox == []
    assert OutboxMessage.objects.get(pk=pk).last_error == "the course was cancelled"


def test_course_booked_message_is_not_sent_once_the_course_has_begun(
    booked, practitioner, settings, time_machine
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [pk] = [m.pk for m in rows(kind=Kind.COURSE_BOOKED, channel="email")]
    first = booked.sessions.get(number=1)
    time_machine.move_to(first.arrives_at + timedelta(minutes=1), tick=False)
    claim_all(timezone.now())
    assert outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS)) == Status.EXPIRED
    assert mail.outbox == []
    assert OutboxMessage.objects.get(pk=pk).last_error == "the course has already begun"


@pytest.mark.parametrize(
    ("kind", "subject", "reason"),
    [
        (Kind.AFTERCARE, "session", "the session did not end as treated"),
        (Kind.COURSE_COMPLETED, "course", "the course is no longer completed"),
        (Kind.DAILY_AGENDA, "practitioner", "no sessions on that day any more"),
        (Kind.CANCELLED_BY_PATIENT, "session", "the session is no longer cancelled"),
    ],
)
def test_every_kind_is_rechecked_against_current_state_at_send_time(
    booked, practitioner, settings, kind, subject, reason
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = booked.sessions.get(number=1)  # booked, not treated; the course is not completed
    about = {"session": first, "course": booked, "practitioner": practitioner}[subject]
    message = sending(kind, **{subject: about})
    assert outbox.deliver(message.pk, actor=system_actor(SystemActor.REMINDERS)) == Status.CANCELLED
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.CANCELLED, reason)
    assert mail.outbox == []


@pytest.mark.parametrize(("late", "outcome"), [(timedelta(days=2), Status.SENT),
                                               (timedelta(days=4), Status.EXPIRED)])  # fmt: skip
def test_a_course_completed_message_is_not_sent_weeks_late(
    booked, practitioner, settings, late, outcome
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Course.objects.filter(pk=booked.pk).update(status=CourseStatus.COMPLETED)
    message = sending(Kind.COURSE_COMPLETED, course=booked, due_at=timezone.now() - late,
                      created_at=timezone.now() - late, recipient=booked.patient.email,
                      patient=booked.patient)  # fmt: skip
    assert outbox.deliver(message.pk, actor=system_actor(SystemActor.REMINDERS)) == outcome
    assert len(mail.outbox) == (1 if outcome == Status.SENT else 0)


def test_every_message_kind_has_a_send_time_check():
    assert set(validity.CHECKS) == set(Kind.values)


def test_booking_an_early_session_queues_its_short_reminder_that_morning(
    draft, reachable, practitioner
):
    course = draft(patient=reachable, sessions_planned=4, preferred_time=time(9))
    services.confirm_course(course=course, actor=practitioner.user)
    first = course.sessions.get(number=1)
    assert timezone.localtime(first.arrives_at).time() == time(9)
    [short] = rows(session=first, kind=Kind.REMINDER_2H)
    assert timezone.localtime(short.due_at) == timezone.localtime(first.arrives_at).replace(hour=8)


@pytest.fixture
def told(booked, settings, tmp_path):
    """The course-booked messages went out: the patient has the dates in their calendar."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    for pk in claim_all(timezone.now()):
        assert outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS)) == Status.SENT
    mail.outbox.clear()
    return booked


def send_due_notices(at):
    """Deliver the change notices due by ``at``; their outcomes by channel."""
    notices = OutboxMessage.objects.filter(kind=Kind.SESSIONS_CHANGED)
    claimed = [pk for pk in claim_all(at) if notices.filter(pk=pk).exists()]
    return {
        notices.get(pk=pk).channel: outbox.deliver(
            pk, now=at, actor=system_actor(SystemActor.REMINDERS)
        )
        for pk in claimed
    }


def test_staff_changes_within_minutes_reach_the_patient_as_one_message_with_calendar_updates(
    told, practitioner, time_machine, settings
):
    second, third = told.sessions.get(number=2), told.sessions.get(number=3)
    old_second = second.arrives_at
    time_machine.move_to(timezone.now() + timedelta(hours=1), tick=False)
    rescheduling.cancel_session(session=third, reason="Room closed", actor=practitioner.user)
    time_machine.move_to(timezone.now() + timedelta(minutes=2), tick=False)
    rescheduling.reschedule_session(
        session=second, new_day=timezone.localtime(old_second).date() + timedelta(days=1),
        new_time=time(14), scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    notices = rows(kind=Kind.SESSIONS_CHANGED)
    assert sorted(m.channel for m in notices) == ["email", "sms"]  # one per channel, not per change
    assert send_due_notices(timezone.now()) == {}  # not before the few minutes are up
    assert send_due_notices(timezone.now() + timedelta(minutes=6)) == {
        "email": Status.SENT, "sms": Status.SENT,
    }  # fmt: skip
    [email] = mail.outbox
    assert "Cancelled: Tuesday 17 February 2026, 10:00 (Europe/London)" in email.body
    assert (
        "Moved: Tuesday 27 January 2026, 10:00 (Europe/London) is now "
        "Wednesday 28 January 2026, 14:00 (Europe/London)"
    ) in email.body
    second.refresh_from_db()
    calendars = {name: body for name, body, _ in email.attachments}
    assert f"UID:session-{second.pk}@127.0.0.1" in calendars["course.ics"]
    assert "SEQUENCE:2" in calendars["course.ics"]
    assert "METHOD:CANCEL" in calendars["cancelled.ics"]
    assert f"UID:session-{third.pk}@127.0.0.1" in calendars["cancelled.ics"]
    assert "SEQUENCE:2" in calendars["cancelled.ics"]
    assert "STATUS:CANCELLED" in calendars["cancelled.ics"]
    sms = settings.SMS_FILE_PATH.read_text()
    assert "Cancelled: Tuesday 17 February 2026" in sms


def test_the_booked_calendar_and_a_later_update_name_each_session_by_the_same_uid(
    booked, settings, practitioner, time_machine
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [pk] = [m.pk for m in rows(kind=Kind.COURSE_BOOKED, channel="email")]
    claim_all(timezone.now())
    outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS))
    first = booked.sessions.get(number=1)
    rescheduling.cancel_session(session=first, reason="Ill", actor=practitioner.user)
    send_due_notices(timezone.now() + timedelta(minutes=6))
    booked_ics, notice = mail.outbox[0].attachments[0][1], mail.outbox[1]
    uid = f"UID:session-{first.pk}@127.0.0.1"
    assert uid in booked_ics
    assert uid in {n: b for n, b, _ in notice.attachments}["cancelled.ics"]


def test_no_change_notice_while_the_booked_message_has_not_gone(booked, practitioner):
    third = booked.sessions.get(number=3)
    rescheduling.cancel_session(session=third, reason="Room closed", actor=practitioner.user)
    assert rows(kind=Kind.SESSIONS_CHANGED) == []


def test_the_patients_own_cancellation_through_the_link_sends_them_no_notice(told):
    rescheduling.cancel_session(
        session=told.sessions.get(number=2),
        reason="by link",
        actor=system_actor(SystemActor.PATIENT_LINK),
    )
    assert rows(kind=Kind.SESSIONS_CHANGED) == []


def patient_link():
    return system_actor(SystemActor.PATIENT_LINK)


def test_the_patients_cancel_frees_the_session_and_tells_the_practitioner_not_the_patient(told):
    second = told.sessions.get(number=2)
    outbox.cancel_by_patient(session=second, version=second.schedule_version, actor=patient_link())
    second.refresh_from_db()
    assert second.status == SessionStatus.CANCELLED
    assert second.changes.get(kind="cancelled").reason == outbox.PATIENT_CANCEL_REASON
    [notice] = rows(kind=Kind.CANCELLED_BY_PATIENT)
    assert notice.recipient == second.practitioner.user.email
    assert notice.schedule_version == second.schedule_version - 1  # the version the link named
    assert rows(kind=Kind.SESSIONS_CHANGED) == []


def test_the_patients_cancel_of_a_session_moved_since_the_link_changes_nothing(
    booked, practitioner
):
    second = booked.sessions.get(number=2)
    seen = second.schedule_version
    rescheduling.reschedule_session(
        session=second, new_day=timezone.localtime(second.arrives_at).date() + timedelta(days=1),
        new_time=time(14), scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    with pytest.raises(LinkError) as error:
        outbox.cancel_by_patient(session=second, version=seen, actor=patient_link())
    assert error.value.reason == "stale"
    assert Session.objects.get(pk=second.pk).status == SessionStatus.SCHEDULED
    assert rows(kind=Kind.CANCELLED_BY_PATIENT) == []


def test_the_patients_cancel_and_its_notice_are_one_write(booked, monkeypatch):
    second = booked.sessions.get(number=2)

    def notice_fails(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "queue_cancellation_notice", notice_fails)
    with pytest.raises(RuntimeError):
        outbox.cancel_by_patient(
            session=second, version=second.schedule_version, actor=patient_link()
        )
    second.refresh_from_db()
    assert second.status == SessionStatus.SCHEDULED
    assert not second.changes.filter(kind="cancelled").exists()


def test_a_change_after_the_notice_went_makes_a_new_notice_with_only_that_change(
    told, practitioner, time_machine
):
    second, fourth = told.sessions.get(number=2), told.sessions.get(number=4)
    rescheduling.cancel_session(session=second, reason="Ill", actor=practitioner.user)
    time_machine.move_to(timezone.now() + timedelta(minutes=10), tick=False)
    send_due_notices(timezone.now())
    rescheduling.cancel_session(session=fourth, reason="Ill", actor=practitioner.user)
    time_machine.move_to(timezone.now() + timedelta(minutes=10), tick=False)
    assert send_due_notices(timezone.now()) == {"email": Status.SENT, "sms": Status.SENT}
    first_notice, second_notice = mail.outbox
    assert "Cancelled: Tuesday 27 January 2026" in first_notice.body
    assert "27 January" not in second_notice.body
    assert "Cancelled: Tuesday 10 March 2026" in second_notice.body


def test_a_course_cancelled_by_staff_tells_the_patient_once_with_no_sessions_left(
    told, practitioner, time_machine
):
    rescheduling.cancel_course(course=told, reason="Moving away", actor=practitioner.user)
    assert len(rows(kind=Kind.SESSIONS_CHANGED, channel="email")) == 1
    assert send_due_notices(timezone.now() + timedelta(minutes=6))["email"] == Status.SENT
    [email] = mail.outbox
    assert email.body.count("Cancelled:") == 4
    assert "You have no more sessions booked with us." in email.body
    assert [name for name, _, _ in email.attachments] == ["cancelled.ics"]


def test_no_sms_to_a_landline_stored_before_numbers_were_checked(draft, reachable, practitioner):
    Patient.objects.filter(pk=reachable.pk).update(phone="+442079460000")  # bypasses the form
    course = draft(patient=Patient.objects.get(pk=reachable.pk), sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"email"}


@pytest.fixture
def treated(booked, reachable, time_machine, settings):
    """The first session was treated and has its aftercare sheet; the sheet is not sent yet."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = booked.sessions.get(number=1)
    time_machine.move_to(first.procedure_ends_at, tick=False)
    Session.objects.filter(pk=first.pk).update(status=SessionStatus.COMPLETED)
    AftercareSheet.objects.create(session=first, text="as written", created_at=timezone.now())
    return first


def send_aftercare(session, patient, at):
    message = sending(
        Kind.AFTERCARE, session=session, course_id=session.course_id, patient=patient,
        recipient=patient.email, due_at=at,
    )  # fmt: skip
    outcome = outbox.deliver(message.pk, now=at, actor=system_actor(SystemActor.REMINDERS))
    message.refresh_from_db()
    return outcome, message


def test_aftercare_for_a_session_that_ended_days_ago_expires_with_the_reason(treated, reachable):
    late = treated.procedure_ends_at + validity.AFTERCARE_FRESH_FOR + timedelta(minutes=1)
    outcome, message = send_aftercare(treated, reachable, late)
    assert (outcome, message.status) == (Status.EXPIRED, Status.EXPIRED)
    assert message.last_error == "the session ended more than 3 days before sending"
    assert mail.outbox == []


def test_aftercare_names_the_next_session_as_it_stands_when_sent(treated, reachable, practitioner):
    second, third = treated.course.sessions.get(number=2), treated.course.sessions.get(number=3)
    rescheduling.cancel_session(session=second, reason="Ill", actor=practitioner.user)
    outcome, _ = send_aftercare(treated, reachable, treated.procedure_ends_at + timedelta(hours=20))
    assert outcome == Status.SENT
    [email] = [m for m in mail.outbox if m.to == [reachable.email]]
    assert "Tuesday 17 February 2026 at 10:00" in email.body  # the third, not the cancelled second
    assert "27 January" not in email.body
    assert "Treated on Tuesday 6 January 2026" in email.body  # no leading zero, as elsewhere
    assert email.subject == "Your aftercare after your session on Tuesday 6 January 2026"
    assert third.arrives_at > timezone.now()


def test_aftercare_never_names_a_session_already_past_at_send_time(treated):
    second, third = treated.course.sessions.get(number=2), treated.course.sessions.get(number=3)
    facts = session_day.aftercare_facts(treated, None, now=second.arrives_at + timedelta(hours=1))
    assert facts.next_session == timezone.localtime(third.arrives_at)


def test_the_change_notice_leaves_out_the_patients_own_link_cancellation(
    told, practitioner, time_machine
):
    third, fourth = told.sessions.get(number=3), told.sessions.get(number=4)
    rescheduling.cancel_session(session=third, reason="Room closed", actor=practitioner.user)
    rescheduling.cancel_session(
        session=fourth, reason="by link", actor=system_actor(SystemActor.PATIENT_LINK)
    )
    assert send_due_notices(timezone.now() + timedelta(minutes=6))["email"] == Status.SENT
    [email] = mail.outbox
    assert "Cancelled: Tuesday 17 February 2026" in email.body
    assert "10 March" not in email.body
    cancelled_ics = {n: b for n, b, _ in email.attachments}["cancelled.ics"]
    assert f"UID:session-{fourth.pk}@" not in cancelled_ics


def test_a_notice_of_only_the_patients_own_cancellation_is_not_sent(
    told, practitioner, time_machine
):
    third, fourth = told.sessions.get(number=3), told.sessions.get(number=4)
    rescheduling.cancel_session(session=third, reason="Room closed", actor=practitioner.user)
    time_machine.move_to(timezone.now() + timedelta(minutes=10), tick=False)
    send_due_notices(timezone.now())
    mail.outbox.clear()
    # A staff change queues a notice; the patient cancels the other session meanwhile...
    rescheduling.reschedule_session(
        session=fourth, new_day=timezone.localtime(fourth.arrives_at).date() - timedelta(days=1),
        new_time=time(14), scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    fourth.refresh_from_db()
    rescheduling.cancel_session(
        session=fourth, reason="by link", actor=system_actor(SystemActor.PATIENT_LINK)
    )
    # ...so there is nothing the clinic changed left to tell.
    assert send_due_notices(timezone.now() + timedelta(minutes=6))["email"] == Status.CANCELLED
    assert mail.outbox == []


def test_a_session_moved_twice_then_cancelled_is_listed_at_the_time_it_had_when_cancelled(
    told, practitioner, time_machine
):
    second = told.sessions.get(number=2)
    day = timezone.localtime(second.arrives_at).date()
    for shift, hour in ((1, 14), (2, 15)):
        rescheduling.reschedule_session(
            session=second, new_day=day + timedelta(days=shift), new_time=time(hour),
            scope="this", reason="", actor=practitioner.user,
        )  # fmt: skip
        second.refresh_from_db()
    rescheduling.cancel_session(session=second, reason="Ill", actor=practitioner.user)
    assert send_due_notices(timezone.now() + timedelta(minutes=6))["email"] == Status.SENT
    [email] = mail.outbox
    assert "Cancelled: Thursday 29 January 2026, 15:00 (Europe/London)" in email.body
    assert "27 January" not in email.body
    assert "Moved:" not in email.body
    cancelled_ics = {n: b for n, b, _ in email.attachments}["cancelled.ics"]
    assert "DTSTART:20260129T150000Z" in cancelled_ics


def vevents(ics):
    """Each VEVENT's exact bytes, by UID."""
    text = ics.decode() if isinstance(ics, bytes) else ics
    blocks = [b.split("END:VEVENT")[0] for b in text.split("BEGIN:VEVENT")[1:]]
    return {next(ln for ln in b.split("\r\n") if ln.startswith("UID:")): b for b in blocks}


def test_an_unchanged_sessions_calendar_event_stays_byte_identical_when_another_is_cancelled(
    booked, practitioner
):
    [message] = rows(kind=Kind.COURSE_BOOKED, channel="email")
    second = booked.sessions.get(number=2)
    before = vevents(content.render(message).ics)
    rescheduling.cancel_session(
        session=booked.sessions.get(number=1), reason="Ill", actor=practitioner.user
    )
    after = vevents(content.render(message).ics)
    uid = f"UID:session-{second.pk}@127.0.0.1"
    assert len(after) == len(before) - 1
    assert after[uid] == before[uid]
    assert "SUMMARY:Clinic: treatment session 2\r\n" in after[uid]


def test_calendar_files_name_the_clinic_as_organizer_and_their_method_in_the_attachment_type(
    told, practitioner
):
    Clinic.objects.update_or_create(pk=1, defaults={"name": "Demo Skin Clinic",
                                                    "email": "hello@clinic.example"})  # fmt: skip
    second, third = told.sessions.get(number=2), told.sessions.get(number=3)
    rescheduling.cancel_session(session=third, reason="Room closed", actor=practitioner.user)
    rescheduling.reschedule_session(
        session=second, new_day=timezone.localtime(second.arrives_at).date() + timedelta(days=1),
        new_time=time(14), scope="this", reason="", actor=practitioner.user,
    )  # fmt: skip
    assert send_due_notices(timezone.now() + timedelta(minutes=6))["email"] == Status.SENT
    [email] = mail.outbox
    parts = {part.get_filename(): part for part in email.message().walk() if part.get_filename()}
    for name, method in (("course.ics", "PUBLISH"), ("cancelled.ics", "CANCEL")):
        part = parts[name]
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == method
        ics = part.get_payload(decode=True).decode()
        assert f"METHOD:{method}\r\n" in ics
        for event in vevents(ics).values():
            assert 'ORGANIZER;CN="Demo Skin Clinic":mailto:hello@clinic.example' in event


def test_email_html_fits_a_phone_screen(booked, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [pk] = [m.pk for m in rows(kind=Kind.COURSE_BOOKED, channel="email")]
    claim_all(timezone.now())
    assert outbox.deliver(pk, actor=system_actor(SystemActor.REMINDERS)) == Status.SENT
    [(html, _)] = mail.outbox[0].alternatives
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
