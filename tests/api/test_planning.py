"""Planning through the API: the same refusals as the screens, with their codes; the
override reason; preview then booking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from courses.models import Course, CourseStatus, Indication, Session, TreatmentArea
from patients import services as patient_services
from patients.screening import Answers
from tests.conftest import MONDAY

PLAN = "/api/v1/courses/plan/"


def plan_body(who, by, face, wrinkles, /, **overrides):
    body = {
        "patient": who.pk, "indication": wrinkles.pk, "area": face.pk, "needle_mm": "0.5",
        "sessions_planned": 6, "target_gap_weeks": 3, "practitioner": by.pk,
        "preferred_weekday": 1, "preferred_time": "10:00", "start_on": MONDAY.isoformat(),
    }  # fmt: skip
    body.update(overrides)
    return body


def form_of(body):
    data = {k: v for k, v in body.items() if k != "patient"}
    return {k: "" if v is None else str(v) for k, v in data.items()}


def other(code: str, kind):
    return kind.objects.get(code=code).pk


REFUSALS = [
    ({"needle_mm": "1.5", "target_gap_weeks": 4}, "needle_out_of_range"),
    ({"target_gap_weeks": 1}, "gap_below_minimum"),
    ({"target_gap_weeks": 9}, "gap_above_maximum"),
    ({"sessions_planned": 8}, "session_count"),
    ({"indication": ("cellulite", Indication)}, "indication_refused"),
    ({"area": ("scalp", TreatmentArea)}, "indication_area"),
    ({"start_on": (MONDAY - timedelta(days=6)).isoformat()}, "date_in_past"),
    ({"start_on": (MONDAY + timedelta(days=1000)).isoformat()}, "date_out_of_range"),
]


@pytest.mark.parametrize(("overrides", "code"), REFUSALS)
def test_the_api_refuses_as_the_screen_does_with_the_rules_code(
    practitioner_api, client, patient, practitioner, rooms, face, wrinkles, overrides, code
):
    overrides = {k: other(*v) if isinstance(v, tuple) else v for k, v in overrides.items()}
    body = plan_body(patient, practitioner, face, wrinkles, **overrides)
    answer = practitioner_api.post(PLAN, body)
    assert answer.status_code == 422, answer.json()
    problem = answer.json()
    assert problem["code"] == code
    assert answer["Content-Type"] == "application/problem+json"
    client.force_login(practitioner.user)
    screen = client.post(reverse("courses:create", args=[patient.pk]), form_of(body))
    page = screen.content.decode()
    for violation in problem["violations"]:
        assert escape(violation["message"]) in page, violation
    assert not Course.objects.exists()


def test_an_uncleared_patient_is_refused_with_the_screenings_code(
    practitioner_api, patient, practitioner, rooms, face, wrinkles
):
    patient_services.record_screening(
        patient=patient, answers=Answers(anticoagulants=True), notes="", actor=practitioner.user
    )
    answer = practitioner_api.post(PLAN, plan_body(patient, practitioner, face, wrinkles))
    assert answer.status_code == 422
    assert answer.json()["code"] == "refuse_anticoagulants"


def test_a_written_override_reason_lets_an_overridable_rule_pass(
    practitioner_api, patient, practitioner, rooms, face, wrinkles
):
    reason = "Deep scarring; discussed with the patient"
    body = plan_body(patient, practitioner, face, wrinkles, needle_mm="1.5", target_gap_weeks=4,
                     needle_override_reason=reason)  # fmt: skip
    answer = practitioner_api.post(PLAN, body)
    assert answer.status_code == 201, answer.json()
    course = Course.objects.get()
    assert course.needle_override_reason.startswith("Deep scarring")


def test_preview_then_book(practitioner_api, patient, practitioner, rooms, face, wrinkles):
    preview = practitioner_api.post(PLAN, plan_body(patient, practitioner, face, wrinkles))
    assert preview.status_code == 201
    body = preview.json()
    assert body["course"]["status"] == CourseStatus.DRAFT
    assert len(body["proposals"]) == 6
    assert not Session.objects.exists()
    expected = [p["arrives_at"] for p in body["proposals"]]
    booked = practitioner_api.post(
        f"/api/v1/courses/{body['course']['id']}/confirm/", {"expected_arrivals": expected}
    )
    assert booked.status_code == 201, booked.json()
    assert len(booked.json()["sessions"]) == 6
    assert Session.objects.count() == 6
    change = Session.objects.first().changes.get()
    assert change.changed_by == practitioner.user  # the acting user is recorded


def test_a_stale_preview_books_nothing_and_gives_the_new_plan(
    practitioner_api, patient, practitioner, rooms, face, wrinkles
):
    body = practitioner_api.post(PLAN, plan_body(patient, practitioner, face, wrinkles)).json()
    wrong = [(timezone.now() + timedelta(days=400)).isoformat() for _ in body["proposals"]]
    answer = practitioner_api.post(
        f"/api/v1/courses/{body['course']['id']}/confirm/", {"expected_arrivals": wrong}
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "plan_changed"
    assert len(answer.json()["proposals"]) == 6
    assert not Session.objects.exists()


def test_reception_may_not_plan(reception_api, patient, practitioner, rooms, face, wrinkles):
    answer = reception_api.post(PLAN, plan_body(patient, practitioner, face, wrinkles))
    assert answer.status_code == 403
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"needle_mm": "abc"},
        {"needle_mm": 9},
        {"start_on": "not-a-date"},
        {"start_on": "9999-12-31"},
        {"preferred_time": "25:99"},
        {"practitioner": 999999},
        {"practitioner": 10**30},
        {"patient": True},
        {"preferred_weekday": 9},
        {"sessions_planned": "six"},
        {"surprise": 1},
        {"needle_override_reason": "x\x00y"},
    ],
)
def test_bad_plan_input_is_400_and_saves_nothing(
    practitioner_api, patient, practitioner, rooms, face, wrinkles, overrides
):
    answer = practitioner_api.post(PLAN, plan_body(patient, practitioner, face, wrinkles,
                                                   **overrides))  # fmt: skip
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == "invalid"
    assert not Course.objects.exists()


@pytest.mark.parametrize("raw", ["{", "[1, 2]", '"text"', "null", '{"a": NaN}'])
def test_malformed_json_is_400(practitioner_api, db, raw):
    answer = practitioner_api.post(PLAN, raw=raw)
    assert answer.status_code == 400
    assert answer.json()["code"] in {"parse_error", "invalid"}


def test_a_read_only_token_refuses_every_write(api_for, practitioner, patient, rooms, face,
                                               wrinkles):  # fmt: skip
    api = api_for(practitioner.user, read_only=True)
    answer = api.post(PLAN, plan_body(patient, practitioner, face, wrinkles))
    assert answer.status_code == 403
    assert answer.json()["code"] == "read_only_token"
    assert api.get("/api/v1/courses/").status_code == 200
    assert not Course.objects.exists()
