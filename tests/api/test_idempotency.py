"""``Idempotency-Key``: a repeated booking POST returns the first result and books nothing."""

from __future__ import annotations

from courses.models import Course, CourseStatus, Session, SessionChange
from tests.api.test_planning import PLAN, plan_body


def test_a_repeated_booking_returns_the_first_result_and_books_nothing_new(
    practitioner_api, patient, practitioner, rooms, face, wrinkles
):
    preview = practitioner_api.post(PLAN, plan_body(patient, practitioner, face, wrinkles)).json()
    url = f"/api/v1/courses/{preview['course']['id']}/confirm/"
    key = {"Idempotency-Key": "booking-7f3a"}
    first = practitioner_api.post(url, {}, headers=key)
    assert first.status_code == 201
    booked = set(Session.objects.values_list("id", flat=True))
    history = SessionChange.objects.count()
    again = practitioner_api.post(url, {}, headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert set(Session.objects.values_list("id", flat=True)) == booked
    assert SessionChange.objects.count() == history
    without_key = practitioner_api.post(url, {})
    assert without_key.status_code == 409  # the course is booked: not booked twice either
    assert without_key.json()["code"] == "not_draft"


def test_a_repeated_plan_saves_one_preview(
    practitioner_api, patient, practitioner, rooms, face, wrinkles
):
    body = plan_body(patient, practitioner, face, wrinkles)
    key = {"Idempotency-Key": "plan-1"}
    first = practitioner_api.post(PLAN, body, headers=key)
    second = practitioner_api.post(PLAN, body, headers=key)
    assert first.json() == second.json()
    assert Course.objects.filter(status=CourseStatus.DRAFT).count() == 1


def test_a_key_reused_for_another_request_is_refused(
    practitioner_api, patient, practitioner, rooms, face, wrinkles
):
    key = {"Idempotency-Key": "plan-2"}
    practitioner_api.post(PLAN, plan_body(patient, practitioner, face, wrinkles), headers=key)
    other = plan_body(patient, practitioner, face, wrinkles, sessions_planned=5)
    answer = practitioner_api.post(PLAN, other, headers=key)
    assert answer.status_code == 409
    assert answer.json()["code"] == "idempotency_key_reused"
    assert Course.objects.count() == 1


def test_a_refusal_is_kept_for_its_key_too(
    practitioner_api, patient, practitioner, rooms, face, wrinkles
):
    key = {"Idempotency-Key": "plan-3"}
    body = plan_body(patient, practitioner, face, wrinkles, sessions_planned=9)
    first = practitioner_api.post(PLAN, body, headers=key)
    again = practitioner_api.post(PLAN, body, headers=key)
    assert (first.status_code, again.status_code) == (422, 422)
    assert again["Content-Type"] == "application/problem+json"
    assert again.json() == first.json()


def test_keys_belong_to_their_token(api_for, practitioner, patient, rooms, face, wrinkles):
    body = plan_body(patient, practitioner, face, wrinkles)
    key = {"Idempotency-Key": "shared"}
    api_for(practitioner.user).post(PLAN, body, headers=key)
    api_for(practitioner.user).post(PLAN, body, headers=key)
    assert Course.objects.count() == 2


def test_an_unprintable_key_is_400(practitioner_api, patient, practitioner, rooms, face,
                                   wrinkles):  # fmt: skip
    body = plan_body(patient, practitioner, face, wrinkles)
    answer = practitioner_api.post(PLAN, body, headers={"Idempotency-Key": "x" * 300})
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_idempotency_key"
    assert not Course.objects.exists()


def test_a_refusal_quoting_a_nul_is_kept_and_replayed(practitioner_api, book):
    """PostgreSQL's JSON holds no NUL: a refusal that quotes one back is kept all the same
    (found by the fuzz test: a 500 on the session day's step)."""
    session = book(sessions_planned=4).sessions.order_by("arrives_at").first()
    url = f"/api/v1/sessions/{session.pk}/procedure/"
    key = {"Idempotency-Key": "nul-1"}
    body = {"step": "check-in", "zone\u0000": "x"}
    first = practitioner_api.post(url, body, headers=key)
    assert first.status_code == 400, first.content
    again = practitioner_api.post(url, body, headers=key)
    assert again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
