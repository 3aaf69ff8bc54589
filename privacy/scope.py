"""Which rows of the database are about one patient: found by walking Django's app registry.

Starting from the patient row, every model with a foreign key (or one-to-one) to a row
already found holds rows about the patient too: screenings, consents, home rollers and
their uses, courses, sessions, the session-day records, photos, outcome grades, outbox
messages and their events, and whatever model a later change adds with such a key. Rows
deleted since are found through their change events (the pghistory event tables keep the
foreign keys), so their own events, and those of rows under them, are found as well.
Models that name the patient by a plain ``patient_id`` column (the access records, the
erasure record) are found by that column.

Nothing here is a hand-kept list of models: a model merged later is covered the day it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from pghistory.models import Event

from patients.models import Patient

PATIENT_COLUMN = "patient_id"


def is_event_model(model: type[models.Model]) -> bool:
    """A pghistory change-event table (its rows are reached through the tracked model)."""
    return issubclass(model, Event)


def data_models() -> list[type[models.Model]]:
    """Every concrete, managed model that is not a change-event table."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not is_event_model(model)
    ]


def event_model_of(model: type[models.Model]) -> type[models.Model] | None:
    """The change-event model tracking ``model``, if any (``patients.PatientEvent``)."""
    for candidate in apps.get_models():
        tracked = getattr(candidate, "pgh_tracked_model", None)
        if (
            is_event_model(candidate)
            and tracked is not None
            and tracked._meta.concrete_model is model
        ):
            return candidate
    return None


def _keys_into(model: type[models.Model]) -> list[models.ForeignKey]:
    """The model's foreign keys (one-to-one included) to other data models."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is not model
    ]


def _plain_patient_column(model: type[models.Model]) -> bool:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    column = fields.get(PATIENT_COLUMN)
    return column is not None and not column.is_relation


@dataclass
class Scope:
    """The ids of one patient's rows, per model, live or deleted (known from their events)."""

    patient_id: int
    ids: dict[type[models.Model], set[Any]] = field(default_factory=dict)
    events: dict[type[models.Model], type[models.Model]] = field(default_factory=dict)

    def found_models(self) -> list[type[models.Model]]:
        return [model for model, ids in self.ids.items() if ids]

    def live(self, model: type[models.Model]) -> models.QuerySet:
        return model._default_manager.filter(pk__in=self.ids.get(model, ()))

    def event_rows(self, model: type[models.Model]) -> models.QuerySet | None:
        """The change events of the patient's ``model`` rows (deleted rows' included)."""
        event_model = self.events.get(model)
        if event_model is None:
            return None
        return event_model._default_manager.filter(pgh_obj_id__in=self.ids.get(model, ()))


def _found_through(
    model: type[models.Model], event_model: type[models.Model] | None, scope: Scope
) -> set[Any]:
    """Ids of ``model`` rows whose keys point at rows already in ``scope``."""
    found: set[Any] = set()
    for key in _keys_into(model):
        related: Any = key.related_model
        parents = scope.ids.get(related._meta.concrete_model)
        if not parents:
            continue
        found.update(
            model._default_manager.filter(**{f"{key.attname}__in": parents}).values_list(
                "pk", flat=True
            )
        )
        if event_model is not None:
            found.update(
                event_model._default_manager.filter(**{f"{key.attname}__in": parents}).values_list(
                    "pgh_obj_id", flat=True
                )
            )
    return found


def patient_scope(patient_id: int) -> Scope:
    """Every row about the patient, per model: walked to a fixed point (a few rounds)."""
    scope = Scope(patient_id=patient_id, ids={Patient: {patient_id}})
    candidates: list[type[models.Model]] = [m for m in data_models() if m is not Patient]
    everything: list[type[models.Model]] = [Patient, *candidates]
    for model in everything:
        event_model = event_model_of(model)
        if event_model is not None:
            scope.events[model] = event_model
    for model in candidates:
        if _plain_patient_column(model):
            scope.ids[model] = set(
                model._default_manager.filter(**{PATIENT_COLUMN: patient_id}).values_list(
                    "pk", flat=True
                )
            )
    changed = True
    while changed:
        changed = False
        for model in candidates:
            found = _found_through(model, scope.events.get(model), scope)
            known = scope.ids.setdefault(model, set())
            if not found <= known:
                known.update(found)
                changed = True
    return scope
