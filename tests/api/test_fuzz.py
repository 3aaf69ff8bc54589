"""Schema-driven fuzzing of the whole API (schemathesis) against the live test server on
the real database: every operation, at least 100 generated requests each (fewer only where
the schema allows fewer distinct ones), zero 5xx and zero answers that break the schema.

The path's record ids are real records of a small clinic (a patient, a draft course, a
booked session, a failed message), so the generated bodies reach the services; unknown ids
are covered by the view tests. The token is a manager's, who may call every operation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
import yaml
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.schema import SCHEMA_FILE
from reminders.models import Kind, OutboxMessage, Status
from tests.api.conftest import make_token
from tests.api.test_schema import ROOT

EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]


@pytest.fixture
def clinic_ids(book, draft, patient, manager):
    course = book(sessions_planned=4)
    preview = draft(start_on=timezone.localdate() + timedelta(days=90))
    message = OutboxMessage.objects.create(
        kind=Kind.DAILY_AGENDA, channel="email", recipient="staff@clinic.example",
        due_at=timezone.now(), dedupe_key="fuzz:failed", status=Status.FAILED, attempts=5,
    )  # fmt: skip
    return {
        "patients": patient.pk, "courses": preview.pk, "outbox": message.pk,
        "sessions": course.sessions.order_by("arrives_at").first().pk,
    }  # fmt: skip


def path_ids(path: str, ids: dict[str, int]) -> dict[str, int] | None:
    if "{id}" not in path:
        return None
    resource = path.removeprefix("/api/v1/").split("/")[0]
    return {"id": ids[resource]}


# Operations whose schema allows fewer distinct requests than EXAMPLES (no parameters
# beyond a fixed id): Hypothesis stops when it has tried them all.
FEW_INPUTS = {
    "GET /api/v1/schema/", "GET /api/v1/patients/{id}/", "GET /api/v1/courses/{id}/",
    "GET /api/v1/sessions/{id}/", "GET /api/v1/outbox/{id}/",
    "GET /api/v1/sessions/{id}/procedure/",
}  # fmt: skip


def fuzz(operation, *, base_url: str, headers: dict, ids: dict) -> int:
    """Run EXAMPLES generated requests of ``operation``; how many were sent."""
    sent = []
    strategy = operation.as_strategy(path_parameters=path_ids(operation.path, ids))

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    def call(case):
        sent.append(1)
        response = case.call(base_url=base_url, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    call()
    return len(sent)


# Two halves, so that ``pytest -n 2`` runs them side by side.
@pytest.mark.slow
@pytest.mark.parametrize("methods", [("GET",), ("POST", "PUT", "PATCH", "DELETE")])
def test_every_operation_survives_fuzzing(live_server, clinic_ids, manager, settings_override,
                                          methods):  # fmt: skip
    raw = yaml.safe_load((ROOT / SCHEMA_FILE).read_text())
    schema = schemathesis.openapi.from_dict(raw)
    headers = {"Authorization": f"Bearer {make_token(manager)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    examples = {
        operation.label: fuzz(operation, base_url=live_server.url, headers=headers,
                              ids=clinic_ids)
        for operation in operations
        if operation.method.upper() in methods
    }  # fmt: skip
    assert examples
    thin = {label: count for label, count in examples.items() if count < EXAMPLES}
    assert set(thin) <= FEW_INPUTS, thin


@pytest.fixture
def settings_override(settings):
    settings.API_RATE_LIMIT = 10**6  # the fuzzer is one client sending thousands of requests
