"""Reading the trail: changes (the pghistory event tables) and accesses in one list.

One query unites every event table and the access records, newest first, so a
page of the trail and its count come from the database however long the
history; the rows of one page are then completed (who, what changed from what
to what) with a few queries more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory.core
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import CharField, F, IntegerField, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from audit.middleware import PATIENT_LINK_PREFIX
from audit.models import ROLE_GIVEN, AccessEvent, AccessKind, UserRoleEvent
from clinic.actors import SystemActor

CHANGE = "change"
KINDS = (CHANGE, AccessKind.READ, AccessKind.AUTH, AccessKind.REFUSAL)
ACCESS_MODEL = AccessEvent._meta.label


def tracked_label(event_model: type[models.Model]) -> str:
    """The label of the table an event model tracks (``auth.User`` for the proxy tracking it)."""
    tracked = event_model.pgh_tracked_model  # type: ignore[attr-defined]
    return str(tracked._meta.concrete_model._meta.label)


def change_models() -> dict[str, type[models.Model]]:
    """Each tracked model's label (``patients.Patient``) and its event model."""
    return {tracked_label(model): model for model in pghistory.core.event_models()}


def actor_label(actor: str) -> str:
    """How the trail names an actor that is not a person at a screen."""
    labels: dict[str, str] = {
        SystemActor.PATIENT_LINK: _("patient link"),
        SystemActor.REMINDERS: _("system task (reminders)"),
        SystemActor.MAINTENANCE: _("system task (maintenance)"),
        SystemActor.DEMO: _("demo data"),
        SystemActor.COMMAND: _("command line"),
    }
    return labels.get(actor, "")


@dataclass
class TrailRow:
    """One line of the trail as a manager reads it."""

    at: datetime
    kind: str
    action: str
    object_type: str
    object_id: str
    who: str
    user_id: int | None = None
    method: str = ""
    path: str = ""
    request_id: str = ""
    detail: str = ""
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        """The kind in words (change, read, authentication, refusal)."""
        return _("change") if self.kind == CHANGE else str(AccessKind(self.kind).label)


COLUMNS = ("a_at", "a_kind", "a_model", "a_pk", "a_user")


@dataclass(frozen=True)
class Filters:
    """What a manager narrowed the trail to (ids, dates and kinds only: no names)."""

    start: datetime | None = None
    end: datetime | None = None
    user_id: int | None = None
    kinds: tuple[str, ...] = ()
    object_type: str = ""
    # The patient's view: per tracked model label, which of its events belong to them.
    scope: dict[str, Q] | None = None
    patient_id: int | None = None


def _changes(event_model: type[models.Model], label: str, filters: Filters) -> Any:
    query = event_model._default_manager.all()
    if filters.start:
        query = query.filter(pgh_created_at__gte=filters.start)
    if filters.end:
        query = query.filter(pgh_created_at__lt=filters.end)
    if filters.user_id is not None:
        query = query.filter(pgh_context__user=filters.user_id)
    if filters.scope is not None:
        query = query.filter(filters.scope[label])
    return (
        query.order_by()
        .annotate(
            a_at=F("pgh_created_at"),
            a_kind=Value(CHANGE, output_field=CharField()),
            a_model=Value(event_model._meta.label, output_field=CharField()),
            a_pk=F("pgh_id"),
            a_user=Cast(KeyTextTransform("user", "pgh_context"), IntegerField()),
        )
        .values(*COLUMNS)
    )


def _accesses(filters: Filters) -> Any:
    query = AccessEvent.objects.all()
    if filters.start:
        query = query.filter(at__gte=filters.start)
    if filters.end:
        query = query.filter(at__lt=filters.end)
    if filters.user_id is not None:
        query = query.filter(user_id=filters.user_id)
    if filters.kinds:
        query = query.filter(kind__in=filters.kinds)
    if filters.object_type:
        query = query.filter(object_type=filters.object_type)
    if filters.patient_id is not None:
        query = query.filter(patient_id=filters.patient_id)
    return (
        query.order_by()
        .annotate(
            a_at=F("at"),
            a_kind=F("kind"),
            a_model=Value(ACCESS_MODEL, output_field=CharField()),
            a_pk=F("id"),
            a_user=F("user_id"),
        )
        .values(*COLUMNS)
    )


def trail(filters: Filters) -> Any:
    """The matching trail rows (their keys), newest first: one query, sliceable and countable."""
    parts = []
    if not filters.kinds or CHANGE in filters.kinds:
        for label, event_model in change_models().items():
            if filters.object_type and filters.object_type != label:
                continue
            if filters.scope is not None and label not in filters.scope:
                continue
            parts.append(_changes(event_model, label, filters))
    if not filters.kinds or set(filters.kinds) - {CHANGE}:
        parts.append(_accesses(filters))
    first, *others = parts
    return (
        first.union(*others, all=True).order_by("-a_at", "-a_pk")
        if others
        else first.order_by("-a_at", "-a_pk")
    )


def _who(user_id: int | None, actor: str, names: dict[int, str]) -> str:
    if user_id is not None:
        return names.get(user_id, f"#{user_id}")
    if actor == ANONYMOUS:
        return _("not signed in")
    return actor_label(actor) or _("unknown (no request or task)")


ANONYMOUS = "anonymous"  # a request nobody was signed in for (a failed log-in, a bad link)


def _access_actor(event: AccessEvent) -> str:
    """Who made a read, sign-in event or refusal that names no user: a patient's link, or
    a visitor not signed in (a request was made: it has a method)."""
    if event.user_id is not None or not event.method:
        return ""
    return SystemActor.PATIENT_LINK if event.path.startswith(PATIENT_LINK_PREFIX) else ANONYMOUS


def _diff(event_model: type[models.Model], event: Any) -> list[tuple[str, Any, Any]]:
    """Each tracked field the event changed, with its value before and after."""
    tracked = [f for f in event_model._meta.fields if not f.name.startswith("pgh_")]
    now = {f.attname: getattr(event, f.attname) for f in tracked}
    if event.pgh_label != "update":
        return (
            [(name, None, value) for name, value in now.items()]
            if event.pgh_label == "insert"
            else []
        )
    before = (
        event_model._default_manager.filter(pgh_obj_id=event.pgh_obj_id, pgh_id__lt=event.pgh_id)
        .order_by("-pgh_id")
        .values(*now)
        .first()
    ) or {}
    return [
        (name, before.get(name), value) for name, value in now.items() if before.get(name) != value
    ]


def _role_rows(events: Any) -> None:
    """A role given or taken reads as whose account and which role, from and to."""
    names = dict(
        get_user_model()
        .objects.filter(pk__in={e.user_id for e in events})
        .values_list("pk", "username")
    )
    groups = dict(
        Group.objects.filter(pk__in={e.group_id for e in events}).values_list("pk", "name")
    )
    for event in events:
        role = groups.get(event.group_id, f"#{event.group_id}")
        given = event.pgh_label == ROLE_GIVEN
        event.trail_object = ("auth.User", str(event.user_id))
        event.trail_action = _("role given") if given else _("role taken")
        account = names.get(event.user_id, f"#{event.user_id}")
        event.trail_detail = _("account: %(name)s") % {"name": account}
        event.trail_changes = [(_("role"), None, role) if given else (_("role"), role, None)]


def _change_rows(label: str, keys: list[int]) -> dict[tuple[str, int], TrailRow]:
    event_model = next(m for m in change_models().values() if m._meta.label == label)
    tracked = tracked_label(event_model)
    rows = {}
    events: Any = list(event_model._default_manager.filter(pgh_id__in=keys))
    if event_model is UserRoleEvent:
        _role_rows(events)
    for event in events:
        context = event.pgh_context or {}
        object_type, object_id = getattr(event, "trail_object", (tracked, str(event.pgh_obj_id)))
        rows[(label, event.pgh_id)] = TrailRow(
            at=event.pgh_created_at, kind=CHANGE,
            action=getattr(event, "trail_action", event.pgh_label), object_type=object_type,
            object_id=object_id, who=context.get("actor", ""),
            user_id=context.get("user"), method=context.get("method") or "",
            path=context.get("path") or "", request_id=context.get("request_id") or "",
            detail=getattr(event, "trail_detail", ""),
            changes=getattr(event, "trail_changes", None) or _diff(event_model, event),
        )  # fmt: skip
    return rows


def _access_rows(keys: list[int]) -> dict[tuple[str, int], TrailRow]:
    return {
        (ACCESS_MODEL, event.pk): TrailRow(
            at=event.at,
            kind=event.kind,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            who=_access_actor(event),
            user_id=event.user_id,
            method=event.method,
            path=event.path,
            request_id=event.request_id,
            detail=event.detail or (event.username if event.user_id is None else ""),
        )  # fmt: skip
        for event in AccessEvent.objects.filter(pk__in=keys)
    }


def complete(keys: Iterable[dict[str, Any]]) -> list[TrailRow]:
    """The trail rows for a page of ``trail()`` keys, in the same order."""
    keys = list(keys)
    by_model: dict[str, list[int]] = {}
    for key in keys:
        by_model.setdefault(key["a_model"], []).append(key["a_pk"])
    rows: dict[tuple[str, int], TrailRow] = {}
    for label, pks in by_model.items():
        rows.update(_access_rows(pks) if label == ACCESS_MODEL else _change_rows(label, pks))
    user_ids = {row.user_id for row in rows.values() if row.user_id is not None}
    names = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    for row in rows.values():
        row.who = _who(row.user_id, row.who, names)
    return [rows[(key["a_model"], key["a_pk"])] for key in keys]
