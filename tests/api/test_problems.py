"""Refusals are RFC 9457 problem details with a stable code, never a page or a 500."""

from __future__ import annotations

PROBLEM = "application/problem+json"


def test_an_unknown_api_address_is_a_problem_not_a_page(practitioner_api):
    answer = practitioner_api.get("/api/v1/nothing-here/")
    assert answer.status_code == 404
    assert answer["Content-Type"] == PROBLEM
    body = answer.json()
    assert (body["code"], body["status"], body["instance"]) == (
        "not_found",
        404,
        "/api/v1/nothing-here/",
    )


def test_a_null_byte_in_the_address_is_a_problem(practitioner_api):
    answer = practitioner_api.get("/api/v1/me/", {"x": "a\x00b"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "null_character"


def test_a_huge_body_is_refused_before_it_is_read(practitioner_api, settings):
    settings.API_MAX_BODY_BYTES = 2048
    answer = practitioner_api.post("/api/v1/me/", raw="[" + "1," * 5000 + "1]")
    assert answer.status_code == 413
    assert answer.json()["code"] == "body_too_large"


def test_a_method_not_offered_is_405(practitioner_api):
    answer = practitioner_api.method("DELETE", "/api/v1/me/")
    assert answer.status_code == 405
    assert answer["Content-Type"] == PROBLEM


def test_past_the_rate_limit_429_with_retry_after(practitioner_api, settings):
    settings.API_RATE_LIMIT = 3
    answers = [practitioner_api.get("/api/v1/me/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = practitioner_api.get("/api/v1/me/")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"


def test_the_rate_limit_is_per_token(api_for, practitioner, settings):
    settings.API_RATE_LIMIT = 1
    first, second = api_for(practitioner.user), api_for(practitioner.user)
    assert first.get("/api/v1/me/").status_code == 200
    assert first.get("/api/v1/me/").status_code == 429
    assert second.get("/api/v1/me/").status_code == 200


# Each test's token is new (a random prefix names its counter), so counters never need
# clearing: clearing the shared Redis database would empty the broker's queues too.


def test_answers_are_not_cached(practitioner_api):
    assert practitioner_api.get("/api/v1/me/")["Cache-Control"] == "no-store"
