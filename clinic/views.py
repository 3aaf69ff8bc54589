"""Infrastructure pages of the project: the health check and the CSRF refusal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic import health


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
