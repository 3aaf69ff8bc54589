"""The retention review (issue #19): the daily task lists the patients whose last session
(or registration) is older than the clinic's period, for a manager to approve erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from clinic.actors import SystemActor, system_actor
from clinic.models import Clinic
from courses import rescheduling
from patients.models import Patient
from privacy import services, tasks
from privacy.models import DueForErasure, Erasure
from tests.factories import ClinicFactory, PatientFactory
from tests.mfa import force_verified_login


def listed() -> set[int]:
    return set(DueForErasure.objects.values_list("patient_id", flat=True))


@pytest.fixture
def patients(book, patient, practitioner):
    """``patient`` with a course in January-March 2026 (its last session, 10 March, then
    cancelled, so 17 February counts); one registered in 2017, never treated; one
    registered with the clinic on 2 January 2026."""
    course = book(sessions_planned=4)
    last = course.sessions.order_by("-number").first()
    rescheduling.cancel_session(session=last, reason="moved away", actor=practitioner.user)
    old = PatientFactory()
    Patient.objects.filter(pk=old.pk).update(created_at=datetime(2017, 1, 1, tzinfo=UTC))
    recent = PatientFactory()
    return patient, old, recent


def test_lists_who_is_past_eight_years_by_default_and_drops_who_no_longer_is(
    patients, time_machine
):
    treated, old, recent = patients
    time_machine.move_to("2034-02-10 03:00Z", tick=False)
    assert tasks.list_due_for_erasure_task() == 2
    assert listed() == {old.pk, recent.pk}  # treated last on 17 February 2026
    time_machine.move_to("2034-02-18 03:00Z", tick=False)
    tasks.list_due_for_erasure_task()
    assert listed() == {old.pk, recent.pk, treated.pk}
    ClinicFactory(retention_years=20)
    tasks.list_due_for_erasure_task()
    assert listed() == set()
    Clinic.objects.filter(pk=1).update(retention_years=8)
    tasks.list_due_for_erasure_task()
    row = DueForErasure.objects.get(patient=treated)
    assert row.last_activity_at.date().isoformat() == "2026-02-17"


def test_an_erased_patient_leaves_the_list_and_is_not_listed_again(
    patients, time_machine, client, manager
):
    _, old, _ = patients
    time_machine.move_to("2034-02-10 03:00Z", tick=False)
    tasks.list_due_for_erasure_task()
    manager_client = client
    force_verified_login(manager_client, manager)  # logged in eight years later
    page = manager_client.get(reverse("privacy:due")).content.decode()
    assert old.full_name in page
    approve = reverse("privacy:erase", args=[old.pk]) + "?source=retention"
    assert approve in page
    assert 'value="retention"' in manager_client.get(approve).content.decode()
    done = manager_client.post(reverse("privacy:erase", args=[old.pk]),
                               {"confirm_name": old.full_name, "source": "retention"})  # fmt: skip
    assert done.status_code == 302
    assert Erasure.objects.get(patient_id=old.pk).source == "retention"
    assert old.pk not in listed()
    tasks.list_due_for_erasure_task()
    assert old.pk not in listed()


def test_only_the_maintenance_task_makes_the_list(patients, manager):
    with pytest.raises(PermissionDenied):
        services.list_due_for_erasure(actor=manager)
    assert services.list_due_for_erasure(actor=system_actor(SystemActor.MAINTENANCE)) == 1
    assert listed() == {patients[1].pk}  # registered in 2017, never treated


@pytest.mark.parametrize(("now", "cutoff"), [
    ("2034-02-10T03:00:00+00:00", "2026-02-10T03:00:00+00:00"),
    ("2032-02-29T12:00:00+00:00", "2024-02-29T12:00:00+00:00"),
    ("2033-02-28T12:00:00+00:00", "2025-02-28T12:00:00+00:00"),
])  # fmt: skip
def test_the_cutoff_is_the_same_day_years_before(now, cutoff):
    moment = datetime.fromisoformat(now)
    assert services.retention_cutoff(moment, 8) == datetime.fromisoformat(cutoff)
    leap = datetime.fromisoformat("2032-02-29T12:00:00+00:00")
    assert services.retention_cutoff(leap, 1).isoformat() == "2031-02-28T12:00:00+00:00"
