"""Connections to Django's, django-axes' and Celery's signals (made in AuditConfig.ready)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from celery.signals import task_postrun, task_prerun

from audit.context import system_context
from audit.models import AuthAction
from audit.records import record_auth_event
from clinic.accounts.events import AuthEvent, auth_event
from clinic.actors import SystemActor

# The audit context of each running task, by task id (entered before, left after it).
_task_contexts: dict[str, AbstractContextManager[Any]] = {}


# The sign-in app's events (clinic.accounts.events, which also forwards Django's log-in,
# log-out and failure signals and django-axes' lockout) and the trail's action for each.
AUTH_ACTIONS = {
    AuthEvent.LOGGED_IN: AuthAction.LOGIN,
    AuthEvent.LOGGED_OUT: AuthAction.LOGOUT,
    AuthEvent.LOGIN_FAILED: AuthAction.LOGIN_FAILED,
    AuthEvent.LOCKED_OUT: AuthAction.LOCKOUT,
    AuthEvent.MFA_ENROLLED: AuthAction.MFA_ENROLLED,
    AuthEvent.MFA_VERIFIED: AuthAction.MFA_VERIFIED,
    AuthEvent.MFA_FAILED: AuthAction.MFA_FAILED,
    AuthEvent.RECOVERY_CODES: AuthAction.RECOVERY_CODES,
    AuthEvent.PASSWORD_CHANGED: AuthAction.PASSWORD_CHANGED,
    AuthEvent.SESSIONS_ENDED: AuthAction.SESSIONS_ENDED,
    AuthEvent.SESSION_EXPIRED: AuthAction.SESSION_EXPIRED,
}


def on_auth_event(
    sender: Any,
    kind: str,
    user: Any = None,
    request: Any = None,
    detail: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """One authentication event recorded. The sign-in app's details are identifiers and
    counts (never a password or a code); a typed user name is kept apart, as the name
    typed, for a failure or lockout that names no account."""
    details = dict(detail or {})
    typed = str(details.pop("username", "") or "")
    text = ", ".join(f"{key}={value}" for key, value in sorted(details.items()))
    record_auth_event(
        kind=AUTH_ACTIONS[AuthEvent(kind)], user=user, request=request, detail=text, username=typed
    )


def task_actor(task_name: str) -> SystemActor:
    """The reminders tasks act as the reminders system; every other task as maintenance."""
    if task_name.startswith("reminders."):
        return SystemActor.REMINDERS
    return SystemActor.MAINTENANCE


def on_task_start(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    name = str(getattr(task, "name", "") or "")
    context = system_context(task_actor(name), task=name)
    context.__enter__()
    _task_contexts[task_id] = context


def on_task_end(task_id: str = "", **kwargs: Any) -> None:
    context = _task_contexts.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)


def connect() -> None:
    """Connect the receivers (weak=False: these functions live as long as the module)."""
    auth_event.connect(on_auth_event, dispatch_uid="audit_auth_event")
    task_prerun.connect(on_task_start, weak=False, dispatch_uid="audit_task_start")
    task_postrun.connect(on_task_end, weak=False, dispatch_uid="audit_task_end")
