"""The patient's export (issue #19): the JSON validates against the documented schema and
round-trips every record; the ZIP holds each photo and aftercare sheet; managers only."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent
from privacy import export
from privacy.scope import patient_scope

SCHEMA = json.loads((Path(export.__file__).parent / "export.schema.json").read_text())


def unzip(data: bytes) -> tuple[zipfile.ZipFile, dict]:
    archive = zipfile.ZipFile(BytesIO(data))
    assert archive.testzip() is None  # every entry's CRC checks
    return archive, json.loads(archive.read(export.DOCUMENT))


def exported(patient_id: int) -> bytes:
    return b"".join(export.stream_zip(export.read_export(patient_id)))


def test_the_document_validates_against_the_schema(rich):
    _, document = unzip(exported(rich.patient.pk))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["records"]["patients.Patient"][0]["last_name"] == rich.patient.last_name


def test_the_schema_refuses_a_document_missing_the_patient():
    broken = {"format": export.FORMAT, "version": 1, "exported_at": "2026-01-01T00:00:00+00:00",
              "patient_id": 1, "records": {}, "changes": {}, "files": []}  # fmt: skip
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_every_record_of_the_patient_round_trips(rich):
    """Each table's rows about the patient are in the document by id, every column equal to
    the database's once read back through the column's own type."""
    _, document = unzip(exported(rich.patient.pk))
    scope = patient_scope(rich.patient.pk)
    labels = set()
    for model in scope.found_models():
        label = model._meta.label
        labels.add(label)
        rows = {row["id"]: row for row in document["records"][label]}
        for obj in scope.live(model):
            row = rows.pop(obj.pk)
            for field in model._meta.concrete_fields:
                value = field.value_from_object(obj)
                back = export.decode(field, row[field.attname])
                expected = value.name if hasattr(value, "name") and field.name == "image" else value
                assert (label, field.attname, back) == (label, field.attname, expected)
        assert rows == {}
        events = scope.event_rows(model)
        if events is not None:
            assert sorted(e["pgh_id"] for e in document["changes"][label]) == sorted(
                events.values_list("pgh_id", flat=True)
            )
    assert {"patients.Patient", "patients.Screening", "patients.CautionDecision",
            "patients.ProcedureConsent", "patients.HomeRoller", "patients.HomeUse",
            "courses.Course", "courses.Session", "courses.SessionChange", "courses.Procedure",
            "courses.ZoneRecord", "courses.NeedleChange", "courses.AftercareSheet",
            "courses.SessionPhoto", "courses.OutcomeGrade", "courses.Satisfaction",
            "reminders.OutboxMessage", "reminders.MessageEvent",
            "audit.AccessEvent"} <= labels  # fmt: skip


def test_the_zip_holds_each_photo_and_aftercare_sheet_as_indexed(rich):
    archive, document = unzip(exported(rich.patient.pk))
    names = set(archive.namelist())
    photos = list(rich.first.photos.all())
    assert {f"photos/{p.pk}.jpg" for p in photos} | {f"aftercare/{rich.first.pk}.txt"} | {
        export.DOCUMENT
    } == names
    for photo in photos:
        assert archive.read(f"photos/{photo.pk}.jpg") == photo.image.read()
    assert archive.read(f"aftercare/{rich.first.pk}.txt").decode() == rich.first.aftercare.text
    assert {f["path"] for f in document["files"]} == names - {export.DOCUMENT}


def test_the_manager_downloads_it_streamed_and_the_download_is_recorded(patient, manager_client,
                                                                        manager):  # fmt: skip
    response = manager_client.get(reverse("privacy:export", args=[patient.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="patient-{patient.pk}.zip"'
    _, document = unzip(b"".join(response.streaming_content))
    assert document["patient_id"] == patient.pk
    read = AccessEvent.objects.get(user=manager, detail="export")
    assert (read.patient_id, read.kind) == (patient.pk, "read")


def test_the_patient_page_offers_export_and_erase_to_managers_only(patient, manager_client,
                                                                   practitioner):  # fmt: skip
    url = reverse("patients:detail", args=[patient.pk])
    page = manager_client.get(url).content.decode()
    assert 'data-testid="export-patient"' in page
    assert 'data-testid="erase-patient"' in page
    other = Client()
    other.force_login(practitioner.user)
    page = other.get(url).content.decode()
    assert 'data-testid="export-patient"' not in page
    assert 'data-testid="erase-patient"' not in page


def test_the_command_writes_the_zip_and_records_the_export(patient, tmp_path, capsys):
    target = tmp_path / "out.zip"
    call_command("export_patient", str(patient.pk), str(target))
    _, document = unzip(target.read_bytes())
    assert document["patient_id"] == patient.pk
    assert AccessEvent.objects.filter(patient_id=patient.pk, action="export").count() == 1
    assert patient.last_name not in capsys.readouterr().out
