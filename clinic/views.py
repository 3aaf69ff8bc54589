"""Infrastructure pages of the project: the health check and the CSRF refusal."""

from __future__ import annotations

import logging
import threading
import time

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from clinic import csp_reports, health

logger = logging.getLogger(__name__)
_report_budget = csp_reports.Budget()
_report_lock = threading.Lock()


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability, and the apps' sections (the outbox); 503 on a problem.

    "unavailable" when the database or the broker does not answer; otherwise a
    section's own problem (the outbox's "outbox_delayed": a due message waited
    past the clinic's alarm time), so a monitor pages someone. The worker's last
    heartbeat is reported for monitoring but does not change the status: the
    web process is healthy even while workers restart.
    """
    database_ok = health.check_database()
    broker_ok = health.check_broker()
    heartbeat = health.last_worker_heartbeat() if database_ok else None
    status = "ok" if database_ok and broker_ok else "unavailable"
    body: dict[str, object] = {
        "database": "ok" if database_ok else "unreachable",
        "broker": "ok" if broker_ok else "unreachable",
        "worker_last_seen": heartbeat.isoformat() if heartbeat else None,
        "worker_seconds_since_seen": (
            round((timezone.now() - heartbeat).total_seconds()) if heartbeat else None
        ),
    }
    for name, check in health.sections().items():
        section, problem = health.read_section(check) if database_ok else ({}, None)
        body[name] = section or None
        if problem and status == "ok":
            status = problem
    return JsonResponse({"status": status, **body}, status=200 if status == "ok" else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without the site's security cookie (cookies blocked, a page left open
    past its session, another site posting): refused (403) in the planner's own words,
    for staff in the staff layout and for a patient on a link in the patient's, with the
    clinic's phone. Django's reason is not shown (it helps nobody at the form)."""
    patient = not request.user.is_authenticated
    base = "reminders/_patient_base.html" if patient else "base.html"
    return render(request, "403_csrf.html", {"base": base, "patient": patient}, status=403)


@login_not_required
@csrf_exempt  # browsers post reports without a token; the view changes nothing
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Logs a browser's Content-Security-Policy violation report in one line (204).

    Public (the browser of a patient on a link reports too) and harmless: a
    body over 8 KiB gets 413 unread, one that is no report 400; a report is
    logged as its directive, blocked origin and paths only (``clinic.csp_reports``),
    at most 60 lines a minute per process.
    """
    length = request.headers.get("Content-Length", "")
    if not length.isdigit():
        return HttpResponse(status=411)
    if int(length) > csp_reports.MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        report = csp_reports.read_report(request.read(csp_reports.MAX_REPORT_BYTES))
    except csp_reports.UnreadableReport:
        return HttpResponse(status=400)
    with _report_lock:
        allowed = _report_budget.take(time.monotonic())
    if allowed:
        logger.warning("CSP violation: %s", csp_reports.summarise(report))
    return HttpResponse(status=204)
