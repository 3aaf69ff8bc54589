"""A patient with data in every table the planner keeps about patients, made through the
services where they are reachable (a few rows written directly, named below)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from audit.models import AccessEvent, AccessKind
from clinic.actors import SystemActor, system_actor
from clinic.models import Device, DeviceType, Product
from courses import outcome_services, photos, rescheduling, services, session_day
from courses.models import Course, Session
from patients import services as patient_services
from patients.models import Patient, ProcedureConsent, Screening
from patients.screening import Answers
from reminders.models import MessageEvent, OutboxMessage, Status
from tests.factories import LotFactory, cleared_patient, staff_actor

FIRST, LAST = "Zinaida", "Quarrington"
EMAIL = "zq.private@example.net"
PHONE = "+447700900123"
BORN = date(1984, 3, 7)
NOTES = "Allergic to lidocaine spray; her sister Oksana works at reception"
DAY = "2026-01-06 09:50Z"  # session 1 arrives at 10:00 London


@dataclass
class Rich:
    patient: Patient
    course: Course
    first: Session
    practitioner_user: object
    texts: list[str]
    session_key: str


def jpeg(size=(64, 64)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, "pink").save(out, format="JPEG")
    return SimpleUploadedFile("face.jpg", out.getvalue(), content_type="image/jpeg")


def version(session):
    return Session.objects.get(pk=session.pk).procedure.version


def _run_session(session, user, time_machine):
    """Session 1, every step, with free text where the screens take it."""
    kind = DeviceType.objects.create(name="Roller 1.0", kind="roller", needle_mm=Decimal("1.0"))
    device = Device.objects.create(device_type=kind, label="R-10", use_limit=5,
                                   last_disinfected_at="2026-01-01T00:00Z")  # fmt: skip
    product = Product.objects.create(name="HA serum", texture="serum", low_molecular_weight=True)
    actor = staff_actor()
    session_day.check_in(session=session, actor=user)
    session_day.put_cream_on(session=session, version=version(session), actor=actor)
    time_machine.move_to(timezone.now() + timedelta(minutes=20), tick=False)
    session_day.wash_cream_off(session=session, version=version(session), actor=actor)
    session_day.record_antiseptic_before(session=session, version=version(session), actor=actor)
    session_day.choose_materials(session=session, version=version(session), product=product,
                                 lot=LotFactory(product=product, number="L-42"), device=device,
                                 actor=actor)  # fmt: skip
    session_day.start_procedure(session=session, version=version(session), actor=actor)
    session_day.record_passes(session=session, version=version(session), zone="forehead",
                              horizontal=8, vertical=7, diagonal=7,
                              note=f"{FIRST} asked for one more pass", actor=actor)  # fmt: skip
    session_day.record_needle_change(session=session, version=version(session),
                                     note=f"dull after {LAST}'s forehead", actor=actor)  # fmt: skip
    session_day.record_antiseptic_after(session=session, version=version(session), actor=actor)
    session_day.finish(session=session, version=version(session), end_point="erythema",
                       notes=f"{FIRST} {LAST} tolerated it well", actor=actor)  # fmt: skip


def _messages(patient):
    """One message sent, one failed naming the address (rows the outbox would have)."""
    rows = list(OutboxMessage.objects.filter(patient=patient).order_by("pk")[:2])
    OutboxMessage.objects.filter(pk=rows[0].pk).update(status=Status.SENT, sent_at=timezone.now())
    OutboxMessage.objects.filter(pk=rows[1].pk).update(
        status=Status.FAILED, last_error=f"550 mailbox {EMAIL} unknown"
    )
    MessageEvent.objects.create(message=rows[1], event="failed", detail=f"to {EMAIL}: 550")


def _records_around(patient, manager, session):
    """What staff leave behind: an admin history line, a kept search, an access record."""
    LogEntry.objects.create(
        user=manager, content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(patient.pk), object_repr=str(patient), action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["notes"]}}}}, "{LAST}"]',
    )  # fmt: skip
    store = SessionStore()
    store["patient_search"] = LAST
    store["admin-search:patients.patient"] = EMAIL
    store["planner_slot"] = {"slot": {"day": "2026-01-07"}}
    store.create()
    AccessEvent.objects.create(kind=AccessKind.READ, action="view", object_type="patients.Patient",
                               object_id=str(patient.pk), patient_id=patient.pk,
                               detail=f"search {LAST}")  # fmt: skip
    patient_link = system_actor(SystemActor.PATIENT_LINK)
    # Rows a patient writes on their course page (written directly: the page's own windows).
    Screening.objects.create(patient=patient, source="patient", session=session,
                             taken_by=patient_link, notes=f"{FIRST} feels fine",
                             result="clear")  # fmt: skip
    sheet = patient.latest_consent.sheet
    ProcedureConsent.objects.create(patient=patient, sheet=sheet, witnessed_by=patient_link,
                                    source="patient", method="typed",
                                    signature_name=f"{FIRST} {LAST}",
                                    text_sha256=sheet.text_sha256)  # fmt: skip
    return store.session_key


@pytest.fixture
def rich(draft, practitioner, manager, time_machine, settings, tmp_path,
         django_capture_on_commit_callbacks):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    user = practitioner.user
    patient = cleared_patient(user, first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE,
                              date_of_birth=BORN, notes=NOTES, guardian_name=f"Gustav {LAST}",
                              reminder_channel="email",
                              email_consent_at=timezone.now())  # fmt: skip
    patient_services.record_screening(
        patient=patient, answers=Answers(rosacea=True), notes=f"{FIRST} mentions rosacea",
        caution_approved=True, caution_reason=f"{LAST}: mild, approved", actor=user,
    )  # fmt: skip
    roller = patient_services.recommend_home_roller(
        patient=patient, needle_mm=Decimal("0.25"), note=f"for {FIRST}'s serum", actor=user
    )
    course = draft(patient=patient, needle_mm=Decimal("1.0"), target_gap_weeks=3,
                   sessions_planned=4, gap_override_reason="")  # fmt: skip
    services.confirm_course(course=course, actor=user)
    outcome_services.record_grade(course=course, session=None, grade=3, actor=user)
    time_machine.move_to(DAY, tick=False)
    link = system_actor(SystemActor.PATIENT_LINK)
    patient_services.log_home_use(roller=roller, used_at=timezone.now() - timedelta(days=2),
                                  disinfected=True, actor=link)  # fmt: skip
    patient_services.record_screening(patient=patient, answers=Answers(), notes="", actor=user)
    first = course.sessions.get(number=1)
    _run_session(first, user, time_machine)
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("before", "after"):
            photos.add_photo(session=first, kind=kind, upload=jpeg(), actor=user)
    outcome_services.record_grade(course=course, session=first, grade=2, actor=user)
    outcome_services.record_satisfaction(session=first, score=8, actor=user)
    rescheduling.cancel_session(session=course.sessions.get(number=4),
                                reason=f"{FIRST} is travelling", actor=user)  # fmt: skip
    _messages(patient)
    session_key = _records_around(patient, manager, course.sessions.get(number=2))
    patient.refresh_from_db()
    return Rich(patient=patient, course=course, first=first, practitioner_user=user,
                texts=[FIRST, LAST, EMAIL, PHONE, "7700900123", NOTES, *birth_date_texts()],
                session_key=session_key)  # fmt: skip


def tables_holding(texts: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, text) for each text found in any text, char or JSON column of any
    table of the database, read from the database's own catalogue."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.get_table_list(cursor):
            if table.type != "t":
                continue
            for column in connection.introspection.get_table_description(cursor, table.name):
                kind = connection.introspection.get_field_type(column.type_code, column)
                if kind not in ("CharField", "TextField", "JSONField"):
                    continue
                name = connection.ops.quote_name(column.name)
                for text in texts:
                    cursor.execute(
                        f"SELECT 1 FROM {connection.ops.quote_name(table.name)} "  # noqa: S608
                        f"WHERE {name}::text ILIKE %s LIMIT 1",
                        [f"%{text}%"],
                    )
                    if cursor.fetchone():
                        found.append((table.name, column.name, text))
    return found


def birth_date_texts() -> list[str]:
    return [BORN.isoformat(), "7 Mar 1984", "07/03/1984", "07.03.1984", "March 7, 1984"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
