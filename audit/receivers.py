"""Connections to Django's, django-axes' and Celery's signals (made in AuditConfig.ready)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from celery.signals import task_postrun, task_prerun
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from audit.context import system_context
from audit.models import AuthAction
from audit.records import record_auth_event
from clinic.actors import SystemActor

# The audit context of each running task, by task id (entered before, left after it).
_task_contexts: dict[str, AbstractContextManager[Any]] = {}


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_auth_event(kind=AuthAction.LOGIN, user=user, request=request)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_auth_event(kind=AuthAction.LOGOUT, user=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Keeps the user name typed, never the password (or anything else typed)."""
    typed = str(credentials.get("username") or "")
    record_auth_event(kind=AuthAction.LOGIN_FAILED, user=None, request=request, username=typed)


def on_locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    """django-axes' lockout: the account (the name typed) refused for the cool-off."""
    record_auth_event(
        kind=AuthAction.LOCKOUT, user=None, request=request, username=str(username or "")
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
    user_logged_in.connect(on_logged_in, dispatch_uid="audit_logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit_logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    task_prerun.connect(on_task_start, weak=False, dispatch_uid="audit_task_start")
    task_postrun.connect(on_task_end, weak=False, dispatch_uid="audit_task_end")
    try:
        from axes.signals import user_locked_out  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    user_locked_out.connect(on_locked_out, dispatch_uid="audit_locked_out")
