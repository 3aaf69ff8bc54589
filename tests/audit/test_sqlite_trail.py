"""SQLite (the embedded default): saves and deletes are recorded from Python."""

import pytest
from django.db import connection

from audit.context import audit_context
from audit.trail import Filters, change_models, complete, trail
from clinic.models import Room

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL records changes by trigger instead"
)


def room_events():
    return change_models()["clinic.Room"].objects.order_by("pgh_id")


def test_save_update_and_delete_each_leave_an_event_with_the_context(db, staff_user):
    with audit_context(user=staff_user.pk, actor="staff", method="POST", path="/admin/",
                       request_id="r1"):  # fmt: skip
        room = Room.objects.create(name="Room A")
        room.name = "Room B"
        room.save()
        room.save()  # nothing changed: no event
        room_pk = room.pk
        room.delete()
    events = list(room_events())
    assert [e.pgh_label for e in events] == ["insert", "update", "delete"]
    assert {e.pgh_obj_id for e in events} == {room_pk}
    assert events[1].pgh_context["user"] == staff_user.pk
    assert events[1].pgh_context["request_id"] == "r1"
    [update] = complete(trail(Filters(kinds=("change",), object_type="clinic.Room"))[1:2])
    assert ("name", "Room A", "Room B") in update.changes
    assert update.who == staff_user.username


def test_bulk_update_is_not_recorded_on_sqlite(db):
    """What the README says SQLite lacks: a QuerySet.update() sends no signal."""
    room = Room.objects.create(name="Room A")
    Room.objects.filter(pk=room.pk).update(name="Room B")
    assert [e.pgh_label for e in room_events()] == ["insert"]


def test_an_update_shows_no_false_change_of_the_creation_time(db, staff_user, time_machine):
    """A row's ``created_at`` (auto_now_add) keeps its own value in every event: the
    event model's copy of the field took the event's time (found in the walk)."""
    from tests.factories import PatientFactory

    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    patient = PatientFactory()
    time_machine.move_to("2026-03-02 09:03Z", tick=False)
    patient.notes = "Prefers mornings"
    patient.save()
    [update] = complete(trail(Filters(kinds=("change",), object_type="patients.Patient"))[:1])
    changed = {name for name, _, _ in update.changes}
    assert "notes" in changed
    assert "created_at" not in changed
    events = change_models()["patients.Patient"].objects.order_by("pgh_id")
    assert {e.created_at for e in events} == {patient.created_at}
