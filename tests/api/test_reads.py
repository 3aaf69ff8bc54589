"""Read resources: what each role sees, the filters, cursor pages, bad queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from courses.models import Session, SessionStatus
from courses.rescheduling import mark_no_show
from reminders.models import Kind, OutboxMessage, Status


@pytest.fixture
def course(book):
    return book(sessions_planned=4)


def test_reception_sees_contact_but_no_clinical_fields(reception_api, practitioner_api, patient):
    url = f"/api/v1/patients/{patient.pk}/"
    front = reception_api.get(url).json()
    assert front["email"] == patient.email
    assert front["phone"] == str(patient.phone)
    assert front["clinical"] is None
    clinician = practitioner_api.get(url).json()
    assert clinician["clinical"]["latest_screening"]["result"] == "clear"


def test_a_patients_read_is_in_the_audit_trail(practitioner_api, patient):
    from audit.models import AccessEvent

    practitioner_api.get(f"/api/v1/patients/{patient.pk}/")
    read = AccessEvent.objects.filter(object_type="patients.Patient", object_id=str(patient.pk))
    assert read.get().username == practitioner_api.get("/api/v1/me/").json()["username"]


def test_patients_updated_since(practitioner_api, patient):
    later = (patient.updated_at + timedelta(seconds=1)).isoformat()
    assert [p["id"] for p in practitioner_api.get("/api/v1/patients/").json()["results"]] == [
        patient.pk
    ]
    assert (
        practitioner_api.get("/api/v1/patients/", {"updated_since": later}).json()["results"] == []
    )


def test_sessions_by_date_range_practitioner_and_status(practitioner_api, course, practitioner):
    sessions = list(course.sessions.order_by("arrives_at"))
    first_day = timezone.localdate(sessions[0].arrives_at)
    answer = practitioner_api.get(
        "/api/v1/sessions/", {"date_from": first_day.isoformat(), "date_to": first_day.isoformat()}
    ).json()
    assert [s["id"] for s in answer["results"]] == [sessions[0].pk]
    mine = practitioner_api.get("/api/v1/sessions/", {"practitioner": practitioner.pk}).json()
    assert [s["id"] for s in mine["results"]] == [s.pk for s in sessions]
    assert (
        practitioner_api.get("/api/v1/sessions/", {"status": "completed"}).json()["results"] == []
    )


@pytest.mark.django_db(transaction=True)
def test_sessions_updated_since_names_each_changed_session(practitioner_api, course, time_machine):
    """On PostgreSQL the change events carry the database's clock (each transaction's
    start), so the moment asked from is the database's too; each write commits on its own."""
    first = course.sessions.order_by("arrives_at").first()
    time_machine.move_to(first.arrives_at + timedelta(hours=2), tick=False)
    since = timezone.now()
    if connection.vendor == "postgresql":  # the triggers' clock
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            since = cursor.fetchone()[0]
    mark_no_show(session=first, actor=course.practitioner.user)
    answer = practitioner_api.get("/api/v1/sessions/", {"updated_since": since.isoformat()})
    assert [s["id"] for s in answer.json()["results"]] == [first.pk]
    assert answer.json()["results"][0]["status"] == SessionStatus.NO_SHOW


def test_cursor_pages(practitioner_api, course):
    first = practitioner_api.get("/api/v1/sessions/", {"page_size": 3}).json()
    assert len(first["results"]) == 3
    assert first["previous"] is None
    rest = practitioner_api.get(first["next"]).json()
    ids = [s["id"] for s in first["results"] + rest["results"]]
    assert ids == list(Session.objects.order_by("procedure_starts_at").values_list("id", flat=True))
    assert rest["next"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-01"},
        {"date_from": "0001-01-01"},
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"date_from": "2026-01-01", "date_to": "2028-01-01"},
        {"practitioner": "x"},
        {"status": "nonsense"},
        {"updated_since": "yesterday"},
    ],
)
def test_bad_filters_are_400_problems(practitioner_api, params):
    answer = practitioner_api.get("/api/v1/sessions/", params)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"


def test_a_bad_cursor_is_404_not_500(practitioner_api, db):
    assert practitioner_api.get("/api/v1/sessions/", {"cursor": "garbage"}).status_code == 404


def test_courses_treatment_only_for_clinicians_and_drafts_only_for_planners(
    reception_api, practitioner_api, course, draft
):
    preview = draft(start_on=timezone.localdate() + timedelta(days=60))
    front = reception_api.get("/api/v1/courses/").json()["results"]
    assert [c["id"] for c in front] == [course.pk]
    assert front[0]["treatment"] is None
    assert reception_api.get(f"/api/v1/courses/{preview.pk}/").status_code == 404
    planner = practitioner_api.get("/api/v1/courses/").json()["results"]
    assert {c["id"] for c in planner} == {course.pk, preview.pk}
    assert planner[0]["treatment"]["needle_mm"] == "0.50"


def test_availability_offers_the_calendars_free_slots(practitioner_api, practitioner, course):
    day = timezone.localdate(course.sessions.order_by("arrives_at").first().arrives_at)
    answer = practitioner_api.get(
        "/api/v1/availability/",
        {"practitioner": practitioner.pk, "date_from": day.isoformat(), "date_to": day.isoformat()},
    )
    assert answer.status_code == 200
    body = answer.json()
    starts = [s["starts_at"] for s in body["slots"]]
    assert starts
    assert body["step_minutes"] > 0
    booked = course.sessions.order_by("arrives_at").first()
    assert booked.arrives_at.isoformat().replace("+00:00", "Z") not in starts


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-01-05", "date_to": "2026-01-06"},
        {"practitioner": 1, "room": 1, "date_from": "2026-01-05", "date_to": "2026-01-06"},
        {"practitioner": 1, "date_from": "2026-01-05", "date_to": "2026-03-06"},
    ],
)
def test_availability_refuses_unclear_questions(practitioner_api, db, params):
    assert practitioner_api.get("/api/v1/availability/", params).status_code == 400


def test_availability_of_an_unknown_room_is_404(practitioner_api, db):
    params = {"room": 999, "date_from": "2026-01-05", "date_to": "2026-01-06"}
    assert practitioner_api.get("/api/v1/availability/", params).status_code == 404


def test_outbox_messages_by_status(reception_api, db):
    now = timezone.now()
    failed = OutboxMessage.objects.create(
        kind=Kind.DAILY_AGENDA, channel="email", recipient="a@clinic.example", due_at=now,
        dedupe_key="t:1", status=Status.FAILED,
    )  # fmt: skip
    OutboxMessage.objects.create(
        kind=Kind.DAILY_AGENDA, channel="email", recipient="b@clinic.example", due_at=now,
        dedupe_key="t:2", status=Status.SENT,
    )  # fmt: skip
    answer = reception_api.get("/api/v1/outbox/", {"status": "failed"}).json()
    assert [m["id"] for m in answer["results"]] == [failed.pk]


def test_catalogue_practitioners_and_rooms(reception_api, practitioner, rooms, catalogue):
    indications = reception_api.get("/api/v1/catalogue/indications/").json()["results"]
    assert any(i["code"] == "cellulite" and i["refused"] for i in indications)
    assert reception_api.get("/api/v1/catalogue/areas/").json()["results"]
    assert [p["id"] for p in reception_api.get("/api/v1/practitioners/").json()["results"]] == [
        practitioner.pk
    ]
    assert len(reception_api.get("/api/v1/rooms/").json()["results"]) == len(rooms)
