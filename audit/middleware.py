"""Every request runs inside an audit context naming its user and itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import records
from audit.context import audit_context, new_request_id, safe_path
from clinic.actors import SystemActor

PATIENT_LINK_PREFIX = "/p/"  # the patients' signed links (reminders.urls)


class AuditContextMiddleware:
    """Sets who acts and from which request for the audit records of a request.

    Staff act as themselves; a request to a patient's signed link acts as the
    patient link (``system-patient-link``), whoever sent it. Each request gets
    an id, also sent back in ``X-Request-ID`` so a support question can name it.
    Refusals (any 403; a 404 to a logged-in user, e.g. a guessed id; a patient's
    link refused) are recorded here, whichever view or middleware refused: the
    error pages themselves are Django's handlers rendering 403.html and 404.html.
    The reads a view noted (``records.record_read``) are written here, once the
    answer shows the page (a GET or HEAD answered 2xx).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        actor = "staff" if user_id else ""
        patient_link = request.path_info.startswith(PATIENT_LINK_PREFIX)
        if patient_link:
            actor = str(SystemActor.PATIENT_LINK)
        with audit_context(
            on_database=bool(user_id) or patient_link,  # nobody else can change tracked rows
            user=user_id,
            actor=actor,
            method=request.method,
            path=safe_path(request.path),
            request_id=request_id,
        ):
            response = self.get_response(request)
            records.write_reads(request, response.status_code)
            if records.is_refusal(request, response.status_code, patient_link=patient_link):
                records.record_refusal(request, status=response.status_code)
        response["X-Request-ID"] = request_id
        return response
