"""Change records on SQLite, written from Python.

PostgreSQL records every insert, update and delete of a tracked model by
trigger (django-pghistory), whatever wrote it. SQLite has no such triggers
here: on SQLite the same event rows are written from Django's ``post_save`` and
``post_delete`` signals, and a staff member's roles from ``m2m_changed``. What
that misses (README, "Audit trail"): bulk writes
(``QuerySet.update()``, ``bulk_create``, raw SQL) and changes made outside
Django leave no record, and nothing stops an event row from being changed.
"""

from __future__ import annotations

import uuid
from typing import Any

import pghistory.core
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_delete, post_save

from audit.context import current
from audit.models import ROLE_GIVEN, ROLE_TAKEN, UserRoleEvent


def _tracked_values(event_model: type[models.Model], instance: models.Model) -> dict[str, Any]:
    """The tracked fields' values of ``instance``, by column name (as the trigger stores them)."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in event_model._meta.fields
        if not field.name.startswith("pgh_")
    }


def _context_fields() -> dict[str, Any]:
    context = current()
    if not context:
        return {"pgh_context": None}
    metadata = {key: value for key, value in context.items() if key != "_context_id"}
    return {"pgh_context": metadata, "pgh_context_id": uuid.UUID(context["_context_id"])}


def record_event(event_model: type[models.Model], instance: models.Model, label: str) -> None:
    """Write one event row for ``instance`` (an update only when a tracked field changed)."""
    values = _tracked_values(event_model, instance)
    manager = event_model._default_manager
    if label == "update":
        last = manager.filter(pgh_obj_id=instance.pk).order_by("-pgh_id").values(*values).first()
        if last == values:
            return
    event = manager.create(pgh_obj_id=instance.pk, pgh_label=label, **values, **_context_fields())
    # The event model copies the tracked fields with their options, so its copies of
    # ``auto_now``/``auto_now_add`` fields (a row's ``created_at``) took the time of the
    # event on create; put back the row's own values (a false "created_at" change showed
    # on every update, found in the walk).
    stamped = [
        field.attname
        for field in event_model._meta.concrete_fields
        if not field.name.startswith("pgh_")
        and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]
    if stamped:
        manager.filter(pk=event.pk).update(**{name: values[name] for name in stamped})


def _receiver(event_model: type[models.Model]) -> tuple[Any, Any]:
    def saved(sender: Any, instance: models.Model, created: bool, raw: bool, **kwargs: Any) -> None:
        if not raw:  # fixtures load data as it was; they are not changes
            record_event(event_model, instance, "insert" if created else "update")

    def deleted(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        record_event(event_model, instance, "delete")

    return saved, deleted


def roles_changed(
    sender: Any, instance: models.Model, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """A role given (after the user-groups rows are added) or taken (before they go)."""
    if action not in ("post_add", "pre_remove", "pre_clear"):
        return
    rows = sender.objects.filter(**{"group_id" if reverse else "user_id": instance.pk})
    if pk_set is not None and action != "pre_clear":
        rows = rows.filter(**{"user_id__in" if reverse else "group_id__in": pk_set})
    label = ROLE_GIVEN if action == "post_add" else ROLE_TAKEN
    for row in rows:
        record_event(UserRoleEvent, row, label)


def connect() -> None:
    """On SQLite, record each tracked model's saves and deletes from Python, and the
    roles given and taken (``user.groups.add()`` and the like send ``m2m_changed``)."""
    if connection.vendor != "sqlite":
        return
    groups = get_user_model().groups.through
    m2m_changed.connect(roles_changed, sender=groups, weak=False, dispatch_uid="audit_roles")
    for event_model in pghistory.core.event_models():
        # a proxy tracks Django's own tables; their signals name the table's model
        tracked = event_model.pgh_tracked_model._meta.concrete_model  # type: ignore[attr-defined]
        saved, deleted = _receiver(event_model)
        uid = f"audit_{event_model._meta.label_lower}"
        post_save.connect(saved, sender=tracked, weak=False, dispatch_uid=f"{uid}_save")
        post_delete.connect(deleted, sender=tracked, weak=False, dispatch_uid=f"{uid}_delete")
