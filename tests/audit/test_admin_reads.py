"""A patient's data seen in the admin leaves a read; a refused answer leaves none."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, AccessKind
from audit.records import patient_id_of
from courses.models import AftercareSheet, NeedleChange, Procedure, SessionChange, ZoneRecord
from patients.models import CautionDecision
from reminders.models import OutboxMessage


def reads():
    return list(AccessEvent.objects.filter(kind=AccessKind.READ).order_by("id"))


def admin_change(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def test_each_admin_page_of_a_patients_data_leaves_a_read_under_the_patient(
    manager_client, manager, book, reachable_patient
):
    course = book(patient=reachable_patient)
    patient = course.patient
    message = OutboxMessage.objects.filter(patient=patient).first()
    session = course.sessions.get(number=1)
    shown = [patient, patient.latest_screening, patient.latest_consent, course, session, message]
    for obj in shown:
        assert manager_client.get(admin_change(obj)).status_code == 200, obj._meta.label
    assert [(r.object_type, r.object_id, r.patient_id, r.user_id) for r in reads()] == [
        (obj._meta.label, str(obj.pk), patient.pk, manager.pk) for obj in shown
    ]


def test_an_admin_page_not_found_refused_or_posted_leaves_no_read(manager_client, patient):
    missing = reverse("admin:patients_patient_change", args=[999999])
    assert manager_client.get(missing).status_code == 302  # the admin's "does not exist"
    practitioner = Client()
    practitioner.force_login(patient.latest_consent.witnessed_by)  # no admin for them
    assert practitioner.get(admin_change(patient)).status_code in (302, 403)
    assert manager_client.post(admin_change(patient), {}).status_code == 200  # form sent back
    assert reads() == []


@pytest.mark.parametrize(
    "model", [CautionDecision, Procedure, ZoneRecord, NeedleChange, AftercareSheet, SessionChange]
)
def test_the_patient_of_each_clinical_record_shown_in_the_admin_is_found(model, book):
    course = book()
    session = course.sessions.get(number=1)
    parent = {"screening": course.patient.latest_screening, "session": session,
              "procedure": Procedure(session=session)}  # fmt: skip
    fields = {f.name: parent[f.name] for f in model._meta.fields if f.name in parent}
    assert patient_id_of(model(**fields)) == course.patient_id


def test_a_not_found_aftercare_sheet_and_a_refused_photo_leave_no_read(client, book, practitioner):
    session = book().sessions.get(number=1)
    client.force_login(practitioner.user)
    aftercare = client.get(reverse("courses:aftercare", args=[session.pk]))
    assert aftercare.status_code == 404
    photo = client.post(reverse("courses:photo_upload", args=[session.pk]), {"kind": "before"})
    assert photo.status_code == 400
    assert reads() == []
    assert client.get(reverse("courses:session_day", args=[session.pk])).status_code == 200
    assert [r.object_type for r in reads()] == ["courses.Session"]
