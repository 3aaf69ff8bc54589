"""Rewriting rows about an erased patient, column by column (``privacy.policy``).

Part of ``privacy.services.erase_patient``'s transaction: nothing here checks who acts.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models

from privacy import policy
from privacy.scope import Scope
from privacy.triggers import append_only_triggers, ignore_append_only

BATCH = 500


def sweep(value: Any, pattern: re.Pattern[str] | None) -> Any:
    """``value`` with the patient's identifiers replaced, in text and in JSON's strings."""
    if pattern is None or value is None:
        return value
    if isinstance(value, str):
        return pattern.sub(policy.ERASED, value)
    if isinstance(value, list):
        return [sweep(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: sweep(item, pattern) for key, item in value.items()}
    return value


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if policy.is_text(f) or policy.is_json(f)
    ]  # fmt: skip


def _new_value(field: models.Field, value: Any, label: str, pattern: re.Pattern[str] | None) -> Any:
    if policy.erased_text(field, label):
        return policy.replacement(field) if value else value
    return sweep(value, pattern)


def scrub_rows(
    rows: models.QuerySet,
    label: str,
    pattern: re.Pattern[str] | None,
    fixed: dict[str, object] | None = None,
) -> int:
    """Rewrite ``rows`` (of the model ``label``, or of its change events): free text erased,
    the rest swept, ``fixed`` values set as given. Returns the rows changed."""
    fixed = {k: v for k, v in (fixed or {}).items() if hasattr(rows.model, k)}
    columns = [f for f in _columns(rows.model) if f.name not in fixed]
    if not columns and not fixed:
        return 0
    changed, names = [], set(fixed)
    for row in rows.only("pk", *(f.name for f in columns), *fixed).order_by("pk"):
        dirty = False
        for field in columns:
            old = getattr(row, field.attname)
            new = _new_value(field, old, label, pattern)
            if new != old:
                setattr(row, field.attname, new)
                names.add(field.name)
                dirty = True
        for name, value in fixed.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                dirty = True
        if dirty:
            changed.append(row)
    if changed:
        rows.model._default_manager.bulk_update(changed, sorted(names), batch_size=BATCH)
    return len(changed)


def is_append_only(model: type[models.Model]) -> bool:
    """Rows of ``model`` are protected against change (the access and erasure records)."""
    return model._meta.label in append_only_triggers()


def scrub_live(scope: Scope, pattern: re.Pattern[str] | None) -> int:
    """Every live row about the patient but the patient row itself; the append-only ones
    (the access records) with their protection lifted for exactly those tables."""
    from patients.models import Patient

    chosen = [m for m in scope.found_models() if m is not Patient]
    protected = [m for m in chosen if is_append_only(m)]
    count = sum(
        scrub_rows(scope.live(m), m._meta.label, pattern) for m in chosen if m not in protected
    )
    with ignore_append_only(protected):
        count += sum(scrub_rows(scope.live(m), m._meta.label, pattern) for m in protected)
    return count


def scrub_events(
    scope: Scope, pattern: re.Pattern[str] | None, patient_fixed: dict[str, object]
) -> int:
    """The change events of every row about the patient (the append-only tables: their
    protection is lifted for exactly these tables, in this transaction)."""
    from patients.models import Patient

    pairs = [(m, scope.event_rows(m)) for m in scope.found_models()]
    present = [(m, rows) for m, rows in pairs if rows is not None]
    with ignore_append_only(rows.model for _, rows in present):
        return sum(
            scrub_rows(
                rows, model._meta.label, pattern, patient_fixed if model is Patient else None
            )  # fmt: skip
            for model, rows in present
        )


def scrub_admin_log(scope: Scope, pattern: re.Pattern[str] | None) -> int:
    """The admin's history of the patient's rows names them (``object_repr``, ``str(obj)``)."""
    count = 0
    for model in scope.found_models():
        ids = [str(pk) for pk in scope.ids[model]]
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        entries = LogEntry.objects.filter(content_type=content_type, object_id__in=ids)
        count += entries.update(object_repr=policy.ERASED)
        changed = []
        for entry in entries.only("pk", "change_message"):
            message = sweep(entry.change_message, pattern)
            if message != entry.change_message:
                entry.change_message = message
                changed.append(entry)
        LogEntry.objects.bulk_update(changed, ["change_message"], batch_size=BATCH)
    return count
