"""Errors as RFC 9457 problem details: ``application/problem+json`` with a stable ``code``.

Every refusal of the API comes out here: DRF's own (bad JSON, wrong types, no token,
throttled), the services' rule refusals with the codes the screens show
(``courses.booking.CourseError``, ``courses.session_day.SessionDayError``,
``patients.services.PatientError``), and Django's 404 and 403. Nothing is written by a
refused request: the services refuse before they write, inside their transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response

from courses.booking import CourseError
from courses.services import PlanChanged, PlanningFailed
from courses.session_day import SessionDayError
from patients.services import PatientError

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "urn:clinic-planner:problem:"

# Rule codes that mean "the thing changed meanwhile" rather than "the rules refuse it".
CONFLICT_CODES = frozenset(
    {"stale", "not_draft", "plan_changed", "idempotency_key_reused", "idempotency_in_progress"}
)


class Problem(exceptions.APIException):
    """A refusal with its status, stable code and human message, plus any extra members."""

    def __init__(self, status_code: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.code = code
        self.extra = extra


class BodyTooLarge(Problem):
    def __init__(self, limit: int) -> None:
        super().__init__(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            "body_too_large",
            gettext("The request body is larger than %(limit)d bytes.") % {"limit": limit},
        )


TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Authentication needed"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    406: gettext_lazy("Not acceptable"),
    409: gettext_lazy("Conflict"),
    413: gettext_lazy("Request body too large"),
    415: gettext_lazy("Unsupported media type"),
    422: gettext_lazy("Refused by the rules"),
    429: gettext_lazy("Too many requests"),
    500: gettext_lazy("Server error"),
}


def problem_body(status_code: int, code: str, detail: str, instance: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": str(TITLES.get(status_code, TITLES[400])),
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    return body


def problem_response(
    status_code: int, code: str, detail: str, *, instance: str = "", **extra: Any
) -> Response:
    body = problem_body(status_code, code, detail, instance) | extra
    return Response(body, status=status_code, content_type=PROBLEM_TYPE)


def _violations(error: CourseError) -> list[dict[str, Any]]:
    return [
        {"code": v.code, "message": v.message, "overridable": v.overridable}
        for v in error.violations
    ]


def _rule_status(code: str) -> int:
    return status.HTTP_409_CONFLICT if code in CONFLICT_CODES else 422


def _from_domain(exc: Exception) -> tuple[int, str, str, dict[str, Any]] | None:
    """(status, code, detail, extra members) for the services' refusals."""
    if isinstance(exc, PlanChanged):
        from api.serializers.courses import proposals_data

        extra = {"proposals": proposals_data(exc.proposals), "changes": exc.changes}
        return 409, "plan_changed", str(exc), extra
    if isinstance(exc, PlanningFailed):
        extra = {"session": exc.error.number, "suggestions": exc.suggestions}
        return 422, "no_slot", str(exc), extra
    if isinstance(exc, CourseError):
        code = exc.codes[0] if exc.codes else "refused"
        return _rule_status(code), code, str(exc), {"violations": _violations(exc)}
    if isinstance(exc, SessionDayError | PatientError):
        return _rule_status(exc.code), exc.code, exc.message, {}
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return 400, "invalid", gettext("Some fields are not valid."), {"errors": errors}
    return None


def _flatten(detail: Any) -> Any:
    """DRF's error detail as plain JSON (lists of messages under field names)."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _from_drf(exc: exceptions.APIException) -> tuple[int, str, str, dict[str, Any]]:
    if isinstance(exc, Problem):
        return exc.status_code, exc.code, str(exc.detail), exc.extra
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        return 400, "invalid", gettext("Some fields are not valid."), {"errors": errors}
    code = exc.default_code
    if isinstance(exc.detail, str) and getattr(exc.detail, "code", None):
        code = str(exc.detail.code)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
    return exc.status_code, code, str(detail), {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: every known refusal as problem details; None (a 500) else."""
    from rest_framework.views import set_rollback  # not at import: DRF's views import us

    response = response_for(exc, context)
    if response is not None:
        set_rollback()
    return response


def response_for(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The problem details answering ``exc``, or None for an unexpected error."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    found = _from_domain(exc)
    if found is None and isinstance(exc, exceptions.APIException):
        found = _from_drf(exc)
    if found is None:
        return None
    status_code, code, detail, extra = found
    request = context.get("request")
    instance = request.path if request is not None else ""
    response = problem_response(status_code, code, detail, instance=instance, **extra)
    for name, value in _headers(exc, context).items():
        response[name] = value
    return response


def _headers(exc: Exception, context: dict[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = str(max(1, int(wait + 0.999)))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        view = context.get("view")
        request = context.get("request")
        if view is not None and request is not None:
            header = view.get_authenticate_header(request)
            if header:
                headers["WWW-Authenticate"] = header
    return headers


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def json_problem(request: HttpRequest, status_code: int, code: str, detail: str) -> HttpResponse:
    """A problem answered outside DRF (an unknown API address, a null byte in it)."""
    body = problem_body(status_code, code, detail, request.path)
    return JsonResponse(body, status=status_code, content_type=PROBLEM_TYPE)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The planner's 404 handler: problem details under /api/, the page elsewhere."""
    if is_api_path(request.path):
        return json_problem(request, 404, "not_found", gettext("Not found."))
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """The planner's 500 handler: problem details under /api/, the page elsewhere."""
    if is_api_path(request.path):
        return json_problem(request, 500, "server_error", gettext("Something went wrong."))
    from django.views.defaults import server_error as page

    return page(request)
