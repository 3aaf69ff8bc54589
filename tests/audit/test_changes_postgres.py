"""PostgreSQL: the triggers record every change, bulk writes too, and keep their rows."""

import os
from datetime import date, time
from decimal import Decimal

import pytest
from django.db import ProgrammingError, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from audit import receivers
from audit.context import audit_context
from audit.models import AccessEvent, AccessKind
from audit.trail import Filters, change_models, complete, trail
from clinic.models import Room
from courses import rescheduling, services
from courses.models import Session
from patients import services as patient_services
from patients.screening import Answers
from reminders import links, tasks
from reminders.models import OutboxMessage, Status

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the change trail is written by PostgreSQL triggers (set DATABASE_URL)",
)


def events(label, **filters):
    return change_models()[label].objects.filter(**filters).order_by("pgh_id")


def as_staff(user, request_id="req-1"):
    return audit_context(
        user=user.pk, actor="staff", method="POST", path="/courses/1/", request_id=request_id
    )


def test_booking_leaves_one_insert_per_session_naming_the_user_and_request(draft, practitioner):
    course = draft(sessions_planned=6)
    with as_staff(practitioner.user, "book-1"):
        services.confirm_course(course=course, actor=practitioner.user)
    sessions = set(Session.objects.filter(course=course).values_list("pk", flat=True))
    booked = events("courses.Session", pgh_context__request_id="book-1")
    assert {e.pgh_obj_id for e in booked} == sessions
    assert len(sessions) == 6
    assert {e.pgh_context["user"] for e in booked} == {practitioner.user.pk}
    assert events("courses.Course", pgh_obj_id=course.pk, pgh_context__request_id="book-1")


def test_reschedule_records_the_time_from_which_value_to_which(book, practitioner):
    course = book()
    third = course.sessions.get(number=3)
    before = third.arrives_at
    with as_staff(practitioner.user, "move-1"):
        rescheduling.reschedule_session(
            session=third, new_day=date(2026, 2, 18), new_time=time(14), scope="this",
            reason="Patient asked", actor=practitioner.user,
        )  # fmt: skip
    [update] = events("courses.Session", pgh_obj_id=third.pk, pgh_context__request_id="move-1")
    assert update.pgh_label == "update"
    [row] = complete(trail(Filters(kinds=("change",), object_type="courses.Session"))[:1])
    changed = {name: (old, new) for name, old, new in row.changes}
    assert changed["arrives_at"][0] == before
    assert changed["arrives_at"][1] == Session.objects.get(pk=third.pk).arrives_at
    assert row.who == practitioner.user.username
    assert row.request_id == "move-1"


def test_a_session_day_step_through_the_page_records_user_method_and_path(
    client, draft, practitioner, time_machine
):
    course = draft(needle_mm=Decimal("1.0"), sessions_planned=4)
    services.confirm_course(course=course, actor=practitioner.user)
    time_machine.move_to("2026-01-06 09:50Z", tick=False)
    patient_services.record_screening(
        patient=course.patient, answers=Answers(), notes="", actor=practitioner.user
    )
    session = course.sessions.get(number=1)
    client.force_login(practitioner.user)
    url = reverse("courses:session_step", args=[session.pk, "check-in"])
    assert client.post(url).status_code == 302
    [procedure] = events("courses.Procedure", pgh_label="insert")
    assert procedure.session_id == session.pk
    context = procedure.pgh_context
    assert (context["user"], context["method"], context["path"]) == (
        practitioner.user.pk,
        "POST",
        url,
    )
    status = events("courses.Session", pgh_obj_id=session.pk, pgh_label="update").last()
    assert status.status == "checked_in"
    assert status.pgh_context["request_id"] == context["request_id"]


def test_patient_link_cancel_is_recorded_as_the_patient_link_without_the_secret(client, book, now):
    session = book(sessions_planned=4).sessions.get(number=1)
    token = links.session_token("cancel", session.pk, session.schedule_version)
    assert client.post(reverse("reminders:cancel", args=[token])).status_code == 200
    update = events("courses.Session", pgh_obj_id=session.pk, pgh_label="update").last()
    assert update.status == "cancelled"
    assert update.pgh_context["actor"] == "system-patient-link"
    assert update.pgh_context["user"] is None
    assert update.pgh_context["path"] == "/p/cancel/[redacted]/"
    assert token not in str(list(events("reminders.OutboxMessage").values("pgh_context")))
    [row] = complete(trail(Filters(kinds=("change",), object_type="courses.Session"))[:1])
    assert row.who == "patient link"


def test_a_dispatcher_run_is_recorded_as_the_reminders_system_task(book, reachable_patient):
    book(patient=reachable_patient, sessions_planned=4)
    OutboxMessage.objects.update(due_at=timezone.now())
    due = OutboxMessage.objects.filter(status=Status.PENDING).count()
    assert due
    # What Celery's task_prerun / task_postrun signals run around the task (sending the
    # signals here would also run the worker's connection clean-up, which ends the test's
    # transaction).
    receivers.on_task_start(task_id="t-1", task=tasks.dispatch_due_messages_task)
    try:
        tasks.dispatch_due_messages_task(budget_seconds=0)
    finally:
        receivers.on_task_end(task_id="t-1")
    claimed = events("reminders.OutboxMessage", pgh_label="update", status=Status.QUEUED)
    assert claimed.count() == due
    assert {e.pgh_context["actor"] for e in claimed} == {"system-reminders"}
    assert {e.pgh_context["task"] for e in claimed} == {
        "reminders.tasks.dispatch_due_messages_task"
    }


def test_bulk_create_and_queryset_update_leave_one_event_per_row(db):
    with audit_context(user=None, actor="system-maintenance", request_id="bulk"):
        rooms = Room.objects.bulk_create([Room(name=f"Room {n}") for n in range(3)])
        Room.objects.filter(pk__in=[r.pk for r in rooms]).update(name=Concat("name", Value("!")))
    inserts = events("clinic.Room", pgh_label="insert", pgh_context__request_id="bulk")
    updates = events("clinic.Room", pgh_label="update", pgh_context__request_id="bulk")
    assert {e.pgh_obj_id for e in inserts} == {r.pk for r in rooms}
    assert {e.pgh_obj_id for e in updates} == {r.pk for r in rooms}
    assert {e.name for e in updates} == {"Room 0!", "Room 1!", "Room 2!"}


def test_an_update_that_changes_nothing_leaves_no_event(db):
    room = Room.objects.create(name="Room A")
    Room.objects.filter(pk=room.pk).update(name="Room A")
    assert list(events("clinic.Room").values_list("pgh_label", flat=True)) == ["insert"]


def test_a_deleted_row_keeps_its_history_and_gets_a_delete_event(db):
    room = Room.objects.create(name="Room A")
    room_pk = room.pk
    room.delete()
    labels = list(events("clinic.Room", pgh_obj_id=room_pk).values_list("pgh_label", flat=True))
    assert labels == ["insert", "delete"]


def test_event_and_access_tables_refuse_update_and_delete(db):
    Room.objects.create(name="Room A")
    AccessEvent.objects.create(kind=AccessKind.READ, action="view")
    refused = pytest.raises(ProgrammingError, match="Cannot update or delete rows")
    for query, change in ((events("clinic.Room"), {"pgh_label": "forged"}),
                          (AccessEvent.objects.all(), {"action": "forged"})):  # fmt: skip
        with refused, transaction.atomic():
            query.update(**change)
        with refused, transaction.atomic():
            query.delete()
    assert events("clinic.Room").get().pgh_label == "insert"
    assert AccessEvent.objects.get().action == "view"


def test_a_patients_trail_holds_their_record_and_everything_under_it_only(
    book, practitioner, reachable_patient, manager_client
):
    from planner.trail import patient_filters
    from tests.factories import cleared_patient

    mine = book(patient=reachable_patient, sessions_planned=4)
    other = book(patient=cleared_patient(practitioner.user), sessions_planned=4)
    manager_client.get(reverse("patients:detail", args=[reachable_patient.pk]))
    rows = complete(trail(patient_filters(reachable_patient.pk, Filters())))
    seen = {(row.object_type, row.object_id) for row in rows}
    assert ("patients.Patient", str(reachable_patient.pk)) in seen
    assert {("courses.Session", str(s.pk)) for s in mine.sessions.all()} <= seen
    assert not {("courses.Session", str(s.pk)) for s in other.sessions.all()} & seen
    assert any(t == "reminders.OutboxMessage" for t, _ in seen)
    assert any(row.kind == "read" for row in rows)
    page = manager_client.get(reverse("audit_patient_trail", args=[reachable_patient.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="trail-row"') == min(len(rows), 50)
