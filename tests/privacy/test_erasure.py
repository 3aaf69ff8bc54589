"""Erasure (issue #19): nothing of the patient is left in any column of any table or in the
media folder, the report's totals stay, and refusals change nothing."""

from __future__ import annotations

import os
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AccessEvent
from courses import session_day
from courses.models import Course, Session, SessionPhoto, SessionStatus
from patients.models import Patient
from planner.reports import build_report
from privacy.models import Erasure
from privacy.services import ErasureRefused, erase_patient
from reminders.models import OutboxMessage, Status
from tests.privacy.conftest import FIRST, LAST, tables_holding

on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the change-event tables and their protection are PostgreSQL's (set DATABASE_URL)",
)
LONDON = ZoneInfo("Europe/London")


def report():
    return build_report(date(2025, 12, 1), date(2026, 3, 31), tz=LONDON).totals


def media_files(settings):
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_after_erasure_no_column_of_any_table_nor_the_media_folder_holds_the_patient(
    rich, manager, settings, django_capture_on_commit_callbacks
):
    assert tables_holding(rich.texts)  # the scan finds them before
    assert media_files(settings)
    totals = report()
    assert totals.sessions_done == 1
    with django_capture_on_commit_callbacks(execute=True):
        result = erase_patient(patient=rich.patient, confirm_name=f"{FIRST}  {LAST.lower()}",
                               actor=manager)  # fmt: skip
    assert tables_holding(rich.texts) == []
    leftovers = [p for p in media_files(settings)
                 if any(t.encode() in p.read_bytes() for t in rich.texts)]  # fmt: skip
    assert leftovers == []
    assert media_files(settings) == []  # the photos went with their rows
    assert report() == totals
    assert result.photos_deleted == 2
    assert result.sessions_cancelled == 2  # sessions 2 and 3; 4 was cancelled before


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_erasure_keeps_ids_dates_counts_device_use_and_lots_and_names_only_ids(rich, manager):
    patient = rich.patient
    sessions_before = list(Session.objects.filter(patient=patient).values_list("pk", "arrives_at"))
    result = erase_patient(patient=patient, confirm_name=patient.full_name, actor=manager)
    patient.refresh_from_db()
    assert patient.full_name == result.pseudonym
    assert patient.full_name.startswith("Erased patient ")
    assert (patient.email, str(patient.phone or ""), patient.date_of_birth, patient.notes) == (
        "",
        "",
        None,
        "",
    )
    assert list(Session.objects.filter(patient=patient).values_list("pk", "arrives_at")) == (
        sessions_before
    )
    first = Session.objects.get(pk=rich.first.pk)
    assert first.status == SessionStatus.COMPLETED
    assert first.procedure.lot.number == "L-42"
    assert first.procedure.device.label == "R-10"
    assert first.procedure.notes == "[erased]"
    assert first.aftercare.text == "[erased]"
    erasure = Erasure.objects.get(patient_id=patient.pk)
    assert erasure.erased_by == manager
    assert not OutboxMessage.objects.filter(patient=patient, status=Status.PENDING).exists()
    assert OutboxMessage.objects.filter(patient=patient, status=Status.SENT).count() == 1
    # the course links stop working
    assert Course.objects.get(pk=rich.course.pk).patient_link_version == 2
    # searches kept in staff sessions forget the patient; other stored values stay
    kept = SessionStore(session_key=rich.session_key).load()
    assert kept == {"planner_slot": {"slot": {"day": "2026-01-07"}}}


@pytest.mark.django_db(transaction=True)
def test_a_wrong_name_or_a_session_in_progress_is_refused_and_changes_nothing(
    book, patient, practitioner, manager, time_machine
):
    course = book(sessions_planned=4)
    with pytest.raises(ErasureRefused) as refused:
        erase_patient(patient=patient, confirm_name="Someone Else", actor=manager)
    assert refused.value.code == "wrong_name"
    first = course.sessions.get(number=1)
    time_machine.move_to(first.arrives_at, tick=False)
    from patients import services as patient_services
    from patients.screening import Answers

    patient_services.record_screening(patient=patient, answers=Answers(), notes="",
                                      actor=practitioner.user)  # fmt: skip
    session_day.check_in(session=first, actor=practitioner.user)
    name = Patient.objects.get(pk=patient.pk).full_name
    with pytest.raises(ErasureRefused) as refused:
        erase_patient(patient=patient, confirm_name=name, actor=manager)
    assert refused.value.code == "in_progress"
    assert Patient.objects.get(pk=patient.pk).full_name == name
    assert not Erasure.objects.exists()


def test_only_a_manager_may_erase(patient, practitioner, reception):
    for user in (practitioner.user, reception):
        with pytest.raises(PermissionDenied):
            erase_patient(patient=patient, confirm_name=patient.full_name, actor=user)
    assert Patient.objects.get(pk=patient.pk).first_name == patient.first_name


def test_the_confirmation_page_asks_for_the_name_and_a_wrong_one_answers_400(
    patient, manager_client
):
    url = reverse("privacy:erase", args=[patient.pk])
    page = manager_client.get(url)
    assert page.status_code == 200
    assert patient.full_name in page.content.decode()
    wrong = manager_client.post(url, {"confirm_name": "Not Them", "source": "request"})
    assert wrong.status_code == 400
    assert "is not the patient" in wrong.content.decode()
    assert Patient.objects.get(pk=patient.pk).first_name == patient.first_name
    done = manager_client.post(url, {"confirm_name": patient.full_name, "source": "request"})
    assert done.status_code == 302
    assert Patient.objects.get(pk=patient.pk).first_name == "Erased patient"
    shown = manager_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert 'data-testid="erased"' in shown
    assert patient.last_name not in shown


def test_a_practitioner_gets_403_and_the_refusal_is_recorded(patient, practitioner, client):
    client.force_login(practitioner.user)
    url = reverse("privacy:erase", args=[patient.pk])
    assert client.post(url, {"confirm_name": patient.full_name}).status_code == 403
    assert client.get(reverse("privacy:export", args=[patient.pk])).status_code == 403
    refusals = AccessEvent.objects.filter(kind="refusal", user=practitioner.user)
    assert refusals.count() == 2
    assert Patient.objects.get(pk=patient.pk).first_name == patient.first_name


def test_the_command_refuses_without_yes_and_erases_with_it(patient, capsys):
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_patient", str(patient.pk))
    assert not Erasure.objects.exists()
    call_command("erase_patient", str(patient.pk), "--yes")
    assert Patient.objects.get(pk=patient.pk).first_name == "Erased patient"
    out = capsys.readouterr().out
    assert patient.last_name not in out
    assert Erasure.objects.get(patient_id=patient.pk).erased_by.username == "system-command"
    assert not SessionPhoto.objects.exists()
