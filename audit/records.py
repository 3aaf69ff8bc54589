"""Writing the trail's reads, authentication events and refusals.

``record_read(request, obj)`` is the one call a view of a patient's record, a
screening, a photo or a session-day page makes, near its top. It notes the read
on the request; ``AuditContextMiddleware`` writes it after the view, and only
when the page was shown: a GET or HEAD answered 2xx. A refused answer (a 404, a
form sent back with a 400) or a POST shows nothing read, and leaves no read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.http import HttpRequest

from audit.context import current, new_request_id, safe_path
from audit.models import AccessEvent, AccessKind, AuthAction

# How to reach the patient from a record shown on a page: the patient itself,
# a row with a ``patient`` key, or one under a course, session, procedure or home roller.
_PARENTS = ("procedure", "session", "course", "screening", "roller")


def patient_id_of(obj: models.Model) -> int | None:
    """The id of the patient whose record ``obj`` belongs to (None for other rows)."""
    if obj._meta.label == "patients.Patient":
        return obj.pk
    patient_id = getattr(obj, "patient_id", None)
    if patient_id is not None:
        return int(patient_id)
    keys = {f.name: f for f in obj._meta.fields if isinstance(f, models.ForeignKey)}
    for parent in _PARENTS:
        key = keys.get(parent)
        if key is not None and (getattr(obj, key.attname) is not None or key.is_cached(obj)):
            return patient_id_of(getattr(obj, parent))
    return None


def _request_fields(request: HttpRequest | None) -> dict[str, Any]:
    """Who and from which request, from the request itself or the current context."""
    context = current()
    fields: dict[str, Any] = {
        "method": context.get("method") or "",
        "path": context.get("path") or "",
        "request_id": context.get("request_id") or new_request_id(),
    }
    if request is not None:
        fields["method"] = request.method or ""
        fields["path"] = safe_path(request.path)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields["user"] = user
            fields["username"] = user.get_username()
    return fields


PENDING_READS = "_audit_pending_reads"  # the request attribute holding the reads to write
READ_METHODS = frozenset({"GET", "HEAD"})


def record_read(request: HttpRequest, obj: models.Model, *, detail: str = "") -> None:
    """Note that the request's user sees ``obj`` (a patient, screening, session, photo ...):
    written by ``write_reads`` once the answer shows it."""
    pending: list[AccessEvent] = request.__dict__.setdefault(PENDING_READS, [])
    pending.append(
        AccessEvent(
            kind=AccessKind.READ,
            action="view",
            object_type=obj._meta.label,
            object_id=str(obj.pk),
            patient_id=patient_id_of(obj),
            detail=detail[:200],
            **_request_fields(request),
        )
    )


def write_reads(request: HttpRequest, status: int) -> list[AccessEvent]:
    """Write the reads noted on ``request`` if its page was shown (a GET or HEAD answered
    2xx), in one statement; drop them otherwise. Returns the reads written."""
    pending: list[AccessEvent] = request.__dict__.pop(PENDING_READS, [])
    if not pending or request.method not in READ_METHODS or not 200 <= status < 300:
        return []
    return AccessEvent.objects.bulk_create(pending)


def record_auth_event(
    *,
    kind: str,
    user: AbstractBaseUser | AnonymousUser | None,
    request: HttpRequest | None,
    detail: str = "",
    username: str = "",
) -> AccessEvent:
    """Record an authentication event: ``kind`` is one of ``AuthAction`` (log-in,
    failure, log-out, lockout, MFA enrolment, password change).

    Never give it a password or a one-time code: ``detail`` is kept as it is, and
    for a failed log-in ``username`` is the name typed (there is no user)."""
    if kind not in AuthAction.values:
        raise ValueError(f"unknown authentication event {kind!r}")
    fields = _request_fields(request)
    fields["username"] = username[:150]
    if user is not None and user.is_authenticated:
        fields["user"] = user
        fields["username"] = user.get_username()
    return AccessEvent.objects.create(
        kind=AccessKind.AUTH, action=kind, detail=detail[:200], **fields
    )


LINK_REFUSALS = frozenset({400, 403, 404, 410})  # a patient's link tampered, used or stale


def is_refusal(request: HttpRequest, status: int, *, patient_link: bool = False) -> bool:
    """A 403 is always a refusal; a 404 is one for a logged-in user (a guessed id); a
    patient's link refused (tampered, used, stale: 400, 404, 410) is one too."""
    if status == 403 or (patient_link and status in LINK_REFUSALS):
        return True
    user = getattr(request, "user", None)
    return status == 404 and user is not None and user.is_authenticated


def record_refusal(request: HttpRequest, *, status: int) -> AccessEvent:
    """Record that the planner refused ``request`` (its status: 403 or 404)."""
    return AccessEvent.objects.create(
        kind=AccessKind.REFUSAL, action=str(status), **_request_fields(request)
    )
